import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  GetConnectionCommand,
  GoneException,
  PayloadTooLargeException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalServer, startLocalServer } from '../../../src/runtimes/local/index.ts';
import { TestClient } from './client.ts';

/** Ids with every character that breaks when a path segment is not URL-encoded. */
const AWKWARD_IDS = ['Ab+/Cd9xYz+/Qw0=', 'a/b+c/d+e/f+g/h=', '+/+/+/+/+/+/+/+='];

describe('local runtime: @connections management API with the AWS SDK', () => {
  let server: LocalServer;
  let sdk: ApiGatewayManagementApiClient;
  let staged: ApiGatewayManagementApiClient;
  const clients: TestClient[] = [];
  let nextId = 0;

  const sdkClient = (endpoint: string) =>
    new ApiGatewayManagementApiClient({
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
    });

  beforeAll(async () => {
    server = await startLocalServer({
      port: 0,
      connectionIds: () => AWKWARD_IDS[nextId++] ?? `plainId${String(nextId).padStart(8, '0')}=`,
    });
    sdk = sdkClient(server.managementEndpoint);
    staged = sdkClient(`${server.managementEndpoint}/local`);
    for (let i = 0; i < AWKWARD_IDS.length; i++) clients.push(await TestClient.open(server.url));
  });

  afterAll(async () => {
    sdk.destroy();
    staged.destroy();
    await Promise.all(clients.map((client) => client.close()));
    await server.close();
  });

  it('posts to connections whose ids need URL-encoding, with and without the stage path', async () => {
    for (const [index, connectionId] of AWKWARD_IDS.entries()) {
      const client = clients[index] as TestClient;
      await sdk.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: `hello ${index}` }));
      expect(await client.nextText()).toBe(`hello ${index}`);
      await staged.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: '{"via":"stage"}' }));
      expect(await client.next()).toEqual({ via: 'stage' });
      expect(client.ws.readyState).toBe(client.ws.OPEN);
    }
  });

  it('describes a connection as GetConnection does', async () => {
    const before = Date.now();
    await sdk.send(new PostToConnectionCommand({ ConnectionId: AWKWARD_IDS[0], Data: 'touch' }));
    const info = await sdk.send(new GetConnectionCommand({ ConnectionId: AWKWARD_IDS[0] }));
    expect(info.ConnectedAt).toBeInstanceOf(Date);
    expect(info.LastActiveAt).toBeInstanceOf(Date);
    expect(info.LastActiveAt?.getTime()).toBeGreaterThanOrEqual(before - 1);
    expect(info.ConnectedAt?.getTime()).toBeLessThanOrEqual(info.LastActiveAt?.getTime() ?? 0);
    expect(info.Identity?.SourceIp).toBe('127.0.0.1');
  });

  it('answers GoneException (410) for unknown ids, for every operation', async () => {
    const attempts: Array<Promise<unknown>> = [
      sdk.send(new PostToConnectionCommand({ ConnectionId: 'NoSuchConnXYZ0=', Data: 'x' })),
      sdk.send(new GetConnectionCommand({ ConnectionId: 'NoSuchConnXYZ0=' })),
      sdk.send(new DeleteConnectionCommand({ ConnectionId: 'No/Such+Conn00=' })),
    ].map((attempt) => attempt.catch((caught: unknown) => caught));
    for (const attempt of attempts) {
      const error = await attempt;
      expect(error).toBeInstanceOf(GoneException);
      expect((error as GoneException).name).toBe('GoneException');
      expect((error as GoneException).$metadata.httpStatusCode).toBe(410);
    }
  });

  it('refuses bodies over 128 KB with PayloadTooLargeException (413) and accepts exactly 128 KB', async () => {
    const client = clients[1] as TestClient;
    const error = await sdk
      .send(new PostToConnectionCommand({ ConnectionId: AWKWARD_IDS[1], Data: 'x'.repeat(128 * 1024 + 1) }))
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PayloadTooLargeException);
    expect((error as PayloadTooLargeException).$metadata.httpStatusCode).toBe(413);
    await sdk.send(
      new PostToConnectionCommand({ ConnectionId: AWKWARD_IDS[1], Data: 'y'.repeat(128 * 1024) }),
    );
    expect((await client.nextText()).length).toBe(128 * 1024);
  });

  it('deletes a connection: the client is closed, later calls are gone', async () => {
    const client = clients[2] as TestClient;
    await sdk.send(new DeleteConnectionCommand({ ConnectionId: AWKWARD_IDS[2] }));
    expect((await client.closed).code).toBe(1000);
    const error = await sdk
      .send(new PostToConnectionCommand({ ConnectionId: AWKWARD_IDS[2], Data: 'late' }))
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(GoneException);
  });

  it('answers plain HTTP requests that are not management calls without crashing', async () => {
    expect((await fetch(`${server.managementEndpoint}/`)).status).toBe(426);
    expect((await fetch(`${server.managementEndpoint}/nothing`, { method: 'POST' })).status).toBe(404);
    const badEncoding = await fetch(`${server.managementEndpoint}/@connections/%E0%A4%A`);
    expect(badEncoding.status).toBe(400);
    const wrongStage = await fetch(`${server.managementEndpoint}/prod/@connections/abc`);
    expect(wrongStage.status).toBe(403);
    expect(wrongStage.headers.get('x-amzn-errortype')).toBe('ForbiddenException');
  });
});
