import { connect as connectTcp } from 'node:net';
import {
  ApiGatewayManagementApiClient,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { WebSocketEvent } from '../../../src/core/index.ts';
import type { LocalServer } from '../../../src/runtimes/local/index.ts';
import { localServerPerTest } from '../../support/local-server.ts';
import { TestClient } from './client.ts';
import { RecordingHandler } from './recording-handler.ts';

type Context = WebSocketEvent['requestContext'] & Record<string, unknown>;
const AWS_ID = /^[A-Za-z0-9+/]{15}=$/;

/** A recording handler whose `$connect`s all wait until `release()`. */
function heldConnects(): { recorder: RecordingHandler; release: () => void } {
  let release: () => void = () => {};
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const recorder = new RecordingHandler(async (event) => {
    if (event.requestContext.routeKey === '$connect') await gate;
    return undefined;
  });
  return { recorder, release };
}

describe('local runtime: $connect, events and handshake', () => {
  const servers = localServerPerTest();
  let server: LocalServer | undefined;

  async function start(recorder: RecordingHandler): Promise<LocalServer> {
    server = await servers.start({ handler: recorder.handler });
    return server;
  }

  async function open(url: string, protocols?: string[], headers?: Record<string, string>) {
    return servers.track(await TestClient.open(url, headers ? { headers } : {}, protocols));
  }

  it('gives every event an API Gateway-shaped requestContext', async () => {
    const recorder = new RecordingHandler((event) =>
      event.requestContext.routeKey === '$default' ? { statusCode: 200, body: 'echo' } : undefined,
    );
    const { url, port } = await start(recorder);
    const client = await open(`${url}/?token=abc&room=1&room=2`, undefined, {
      'X-Custom-Header': 'Yes',
      'User-Agent': 'emulator-test',
    });

    const connect = recorder.of('$connect')[0] as WebSocketEvent;
    const context = connect.requestContext as Context;
    expect(context).toMatchObject({
      routeKey: '$connect',
      eventType: 'CONNECT',
      messageDirection: 'IN',
      stage: 'local',
      apiId: 'local',
      domainName: `127.0.0.1:${port}`,
      identity: { sourceIp: '127.0.0.1', userAgent: 'emulator-test' },
    });
    expect(context.connectionId).toMatch(AWS_ID);
    expect(context.requestId).toMatch(AWS_ID);
    expect(context.extendedRequestId).toBe(context.requestId);
    expect(context.requestTime).toMatch(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
    expect(context.connectedAt).toBe(context.requestTimeEpoch);
    expect(context.messageId).toBeUndefined();
    // Header names keep the client's case, as API Gateway passes them.
    expect(connect.headers?.['X-Custom-Header']).toBe('Yes');
    expect(connect.headers?.['X-Forwarded-For']).toBe('127.0.0.1');
    expect(connect.multiValueHeaders?.['X-Custom-Header']).toEqual(['Yes']);
    expect(connect.queryStringParameters).toEqual({ token: 'abc', room: '2' });
    expect((connect as unknown as Record<string, unknown>).multiValueQueryStringParameters).toEqual({
      token: ['abc'],
      room: ['1', '2'],
    });

    client.send('hello');
    expect(await client.nextText()).toBe('echo');
    const message = recorder.of('$default')[0] as WebSocketEvent;
    expect(message.body).toBe('hello');
    expect(message.isBase64Encoded).toBe(false);
    expect(message.requestContext).toMatchObject({
      routeKey: '$default',
      eventType: 'MESSAGE',
      connectionId: context.connectionId,
      connectedAt: context.connectedAt,
    });
    expect(message.requestContext.messageId).toMatch(AWS_ID);

    client.ws.send(Buffer.from([0, 1, 254, 255]), { binary: true });
    expect(await client.nextText()).toBe('echo');
    const binary = recorder.of('$default')[1] as WebSocketEvent;
    expect(binary.isBase64Encoded).toBe(true);
    expect(binary.body).toBe(Buffer.from([0, 1, 254, 255]).toString('base64'));

    const disconnected = recorder.next('$disconnect');
    client.ws.close(4000, 'bye');
    const disconnect = (await disconnected).requestContext as Context;
    expect(disconnect).toMatchObject({
      routeKey: '$disconnect',
      eventType: 'DISCONNECT',
      connectionId: context.connectionId,
      disconnectStatusCode: 4000,
      disconnectReason: 'bye',
    });
  });

  it('reports a close frame without a code as 1005, as API Gateway does', async () => {
    const recorder = new RecordingHandler();
    const { url } = await start(recorder);
    const client = await open(url);
    const disconnected = recorder.next('$disconnect');
    client.ws.close();
    expect((await disconnected).requestContext).toMatchObject({ disconnectStatusCode: 1005 });
  });

  it('refuses the upgrade with the status $connect returned', async () => {
    const recorder = new RecordingHandler((event) =>
      event.queryStringParameters?.token === 'good'
        ? { statusCode: 200 }
        : { statusCode: 401, body: 'no token' },
    );
    const { url } = await start(recorder);
    const refused = await TestClient.open(url).then(
      () => undefined,
      (error: { response?: { statusCode?: number } }) => error.response?.statusCode,
    );
    expect(refused).toBe(401);
    await open(`${url}?token=good`);
    // A refused connection never existed: no $disconnect for it.
    expect(recorder.of('$disconnect')).toHaveLength(0);
  });

  it('answers 500 when $connect throws, and an API Gateway error frame when $default throws', async () => {
    const recorder = new RecordingHandler((event) => {
      if (event.queryStringParameters?.fail === 'connect') throw new Error('boom');
      if (event.requestContext.routeKey === '$default') throw new Error('boom');
      return undefined;
    });
    const { url } = await start(recorder);
    await expect(TestClient.open(`${url}?fail=connect`)).rejects.toThrow('unexpected response 500');
    const client = await open(url);
    const reply = await client.request('anything');
    expect(reply).toMatchObject({ message: 'Internal server error' });
    expect(reply.connectionId).toMatch(AWS_ID);
    expect(reply.requestId).toMatch(AWS_ID);
  });

  it('times out slow integrations as API Gateway does: 504 on $connect, an error frame on $default', async () => {
    const never = new Promise<undefined>(() => {});
    const recorder = new RecordingHandler((event) => {
      if (event.queryStringParameters?.slow === 'connect') return never;
      if (event.requestContext.routeKey === '$default' && event.body === 'slow') return never;
      return event.requestContext.routeKey === '$default' ? { statusCode: 200, body: 'fast' } : undefined;
    });
    server = await servers.start({
      handler: recorder.handler,
      limits: { integrationTimeoutMs: 100 },
    });
    await expect(TestClient.open(`${server.url}?slow=connect`)).rejects.toThrow('unexpected response 504');
    const client = await open(server.url);
    expect(await client.request('slow')).toMatchObject({ message: 'Endpoint request timed out' });
    // The connection goes on with its next message.
    client.send('next');
    expect(await client.nextText()).toBe('fast');
  });

  it('accepts a subprotocol only when $connect echoes it', async () => {
    const recorder = new RecordingHandler((event) => {
      if (event.requestContext.routeKey !== '$connect') return undefined;
      const offered = event.headers?.['Sec-WebSocket-Protocol'] ?? '';
      return offered.includes('topicsocket.v1')
        ? { statusCode: 200, headers: { 'Sec-WebSocket-Protocol': 'topicsocket.v1' } }
        : { statusCode: 200 };
    });
    const { url } = await start(recorder);
    const echoed = await open(url, ['other', 'topicsocket.v1']);
    expect(echoed.ws.protocol).toBe('topicsocket.v1');

    // Not echoed: API Gateway completes the handshake without the header, and the client gives up on it.
    const failed = new WebSocket(url, ['chat']);
    const error = await new Promise<Error>((resolve) => failed.on('error', resolve));
    expect(error.message).toMatch(/no subprotocol/i);
    const disconnect = await recorder.next('$disconnect');
    expect(disconnect.requestContext).toMatchObject({ disconnectStatusCode: 1006 });
  });

  it('holds the connection until $connect resolves: until then it is gone to the management API', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let connectionId = '';
    const recorder = new RecordingHandler(async (event) => {
      if (event.requestContext.routeKey === '$connect') {
        connectionId = event.requestContext.connectionId;
        await gate;
      }
      return undefined;
    });
    const local = await start(recorder);
    const opening = TestClient.open(local.url);
    await recorder.next('$connect');
    const during = await fetch(
      `${local.managementEndpoint}/@connections/${encodeURIComponent(connectionId)}`,
    );
    expect(during.status).toBe(410);
    release();
    const client = await opening;
    servers.track(client);
    const after = await fetch(`${local.managementEndpoint}/@connections/${encodeURIComponent(connectionId)}`);
    expect(after.status).toBe(200);
  });

  it('queues frames a client sends before $connect resolved, and hands them over in order afterwards', async () => {
    const { recorder, release } = heldConnects();
    const { port } = await start(recorder);
    const masked = (text: string) => {
      const payload = Buffer.from(text);
      const mask = Buffer.from([1, 2, 3, 4]);
      const body = payload.map((byte, i) => byte ^ (mask[i % 4] as number));
      return Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, body]);
    };
    // An eager client: the upgrade request and two frames in one write, without waiting for the 101.
    const socket = connectTcp(port, '127.0.0.1');
    socket.on('error', () => {});
    socket.write(
      Buffer.concat([
        Buffer.from(
          'GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
            'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
        ),
        masked('first'),
        masked('second'),
      ]),
    );
    await recorder.next('$connect');
    expect(recorder.of('$default')).toHaveLength(0);
    const second = recorder.next('$default').then(() => recorder.next('$default'));
    release();
    await second;
    expect(recorder.of('$default').map((event) => event.body)).toEqual(['first', 'second']);
    socket.destroy();
    await recorder.next('$disconnect');
  });

  it('fires $disconnect for a client that leaves while $connect is still running', async () => {
    const { recorder, release } = heldConnects();
    const { url } = await start(recorder);
    const ws = new WebSocket(url);
    ws.on('error', () => {});
    const connect = await recorder.next('$connect');
    const gone = new Promise((resolve) => ws.on('close', resolve));
    ws.terminate();
    await gone;
    release();
    const disconnect = await recorder.next('$disconnect');
    expect(disconnect.requestContext.connectionId).toBe(connect.requestContext.connectionId);
  });

  it('builds a management endpoint from domainName and stage that the AWS SDK can reach', async () => {
    const recorder = new RecordingHandler(async (event) => {
      if (event.requestContext.routeKey !== '$default') return undefined;
      const { domainName, stage, connectionId } = event.requestContext;
      // The usual Lambda code: endpoint from the event, then a callback to the caller.
      const client = new ApiGatewayManagementApiClient({
        endpoint: `http://${domainName}/${stage}`,
        region: 'us-east-1',
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      });
      await client.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: 'callback' }));
      client.destroy();
      return { statusCode: 200, body: 'reply' };
    });
    const { url } = await start(recorder);
    const client = await open(url);
    client.send('hi');
    expect(await client.nextText()).toBe('callback');
    expect(await client.nextText()).toBe('reply');
  });
});
