/**
 * The real Lambda entry point (src/runtimes/aws/handler.ts, configured through its environment variables)
 * behind the local API Gateway emulator, on DynamoDB Local, with real `ws` clients. Deliveries go through
 * the emulator's HTTP `@connections` API via the real SDK: the handler has no other way to reach a socket.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { WebSocketEvent, WebSocketResult } from '../../../src/core/index.ts';
import type { WebSocketLambdaHandler } from '../../../src/runtimes/aws/create-handler.ts';
import { awsStyleId, type LocalServer, startLocalServer } from '../../../src/runtimes/local/index.ts';
import { LambdaEnvironment } from '../../../src/stores/dynamodb/table-design.ts';
import { freshTable } from '../../support/dynamodb-test-table.ts';
import { wsEvent } from '../../support/events.ts';
import { lambdaContext } from '../../support/lambda-context.ts';
import { rowsOfConnection } from '../../support/table-rows.ts';
import { TestClient } from '../local/client.ts';

describe('Lambda handler end to end (emulator + DynamoDB Local)', () => {
  let server: LocalServer;
  let lambda: WebSocketLambdaHandler;
  let dynamo: { client: DynamoDBClient; tableName: string; endpoint: string };
  const clients: TestClient[] = [];
  const ids: string[] = [];
  /** Connections whose `$disconnect` API Gateway "misses": the event never reaches the Lambda. */
  const missedDisconnects = new Set<string>();
  const disconnectWaiters = new Map<string, () => void>();
  const disconnected = new Map<string, Promise<void>>();
  const inFlight = new Set<Promise<unknown>>();
  const savedEnv = { ...process.env };

  const whenDisconnected = (id: string): Promise<void> => {
    let promise = disconnected.get(id);
    if (!promise) {
      promise = new Promise<void>((resolve) => disconnectWaiters.set(id, resolve));
      disconnected.set(id, promise);
    }
    return promise;
  };
  const invokeLambda = (event: WebSocketEvent): Promise<WebSocketResult> => {
    const call = lambda(event, lambdaContext(event));
    inFlight.add(call);
    return call.finally(() => inFlight.delete(call));
  };
  const open = async (): Promise<{ client: TestClient; id: string }> => {
    const client = await TestClient.open(server.url);
    clients.push(client);
    return { client, id: ids[ids.length - 1] as string };
  };
  const rows = (id: string) => rowsOfConnection(dynamo.client, dynamo.tableName, id);

  beforeAll(async () => {
    dynamo = await freshTable('lambda-e2e');
    server = await startLocalServer({
      port: 0,
      connectionIds: () => {
        const id = awsStyleId();
        ids.push(id);
        return id;
      },
      handler: async (event) => {
        const { routeKey, connectionId } = event.requestContext;
        if (routeKey !== '$disconnect') return invokeLambda(event);
        whenDisconnected(connectionId);
        try {
          return missedDisconnects.has(connectionId) ? { statusCode: 200 } : await invokeLambda(event);
        } finally {
          disconnectWaiters.get(connectionId)?.();
        }
      },
    });
    Object.assign(process.env, {
      [LambdaEnvironment.tableName]: dynamo.tableName,
      [LambdaEnvironment.dynamodbEndpoint]: dynamo.endpoint,
      [LambdaEnvironment.managementEndpoint]: server.managementEndpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      POWERTOOLS_LOG_LEVEL: 'WARN',
      // This file tests delivery and cleanup; auth (required by default) is covered by test/security.
      TOPICSOCKET_AUTH: 'open',
    });
    // Keep Powertools' EMF and log lines (written straight to stdout/stderr) out of the test output.
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    // The real entry point: its configuration is read from the environment when the module loads.
    ({ handler: lambda } = await import('../../../src/runtimes/aws/handler.ts'));
  });

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await server?.close();
    await Promise.all(inFlight);
    vi.restoreAllMocks();
    process.env = savedEnv;
    dynamo?.client.destroy();
  });

  it('subscribes, publishes and delivers through the @connections endpoint', async () => {
    const alice = await open();
    const bob = await open();
    expect(await alice.client.request({ type: 'subscribe', topic: 'room/1', id: 1 })).toEqual({
      type: 'subscribed',
      topic: 'room/1',
      id: 1,
      epoch: expect.any(String),
      offset: 0,
    });
    expect(await bob.client.request({ type: 'publish', topic: 'room/1', data: { n: 1 }, id: 2 })).toEqual({
      type: 'published',
      topic: 'room/1',
      id: 2,
      offset: 1,
      epoch: expect.any(String),
    });
    expect(await alice.client.next()).toEqual({
      type: 'message',
      topic: 'room/1',
      data: { n: 1 },
      offset: 1,
      epoch: expect.any(String),
    });
    expect(bob.client.pending).toBe(0);
    // The seed article's frames work unchanged on the Lambda too.
    bob.client.send({ type: 'subscribe', topic: 'general' });
    // Acked repeat: once it is answered the topic is stored (an unacked frame gives nothing to wait on).
    expect(await bob.client.request({ type: 'subscribe', topic: 'general', id: 'sync' })).toMatchObject({
      type: 'subscribed',
    });
    alice.client.send({ type: 'message', topic: 'general', message: 'count is 0' });
    expect(await bob.client.next()).toEqual({
      type: 'message',
      topic: 'general',
      data: 'count is 0',
      offset: 1,
      epoch: expect.any(String),
    });
  });

  it('leaves no rows after a normal disconnect', async () => {
    const carol = await open();
    for (const topic of ['a', 'b', 'c']) await carol.client.request({ type: 'subscribe', topic, id: topic });
    expect(await rows(carol.id)).toHaveLength(4); // the connection item and three subscriptions
    await carol.client.close();
    await whenDisconnected(carol.id);
    expect(await rows(carol.id)).toEqual([]);
  });

  it('leaves no rows after a missed $disconnect, once a publish meets the 410', async () => {
    const dave = await open();
    const erin = await open();
    missedDisconnects.add(dave.id);
    await dave.client.request({ type: 'subscribe', topic: 'news', id: 1 });
    await dave.client.request({ type: 'subscribe', topic: 'sports', id: 2 });
    await erin.client.request({ type: 'subscribe', topic: 'news', id: 3 });
    await dave.client.close();
    await whenDisconnected(dave.id);
    expect(await rows(dave.id)).toHaveLength(3); // the ghost: API Gateway never told the Lambda
    // Erin is a subscriber too: her copy is posted during the invocation, the ack comes after it.
    erin.client.send({ type: 'publish', topic: 'news', data: 'hi', id: 4 });
    expect(await erin.client.next()).toEqual({
      type: 'message',
      topic: 'news',
      data: 'hi',
      offset: 1,
      epoch: expect.any(String),
    });
    expect(await erin.client.next()).toEqual({
      type: 'published',
      topic: 'news',
      id: 4,
      offset: 1,
      epoch: expect.any(String),
    });
    // The 410 removed the ghost with every subscription it held, the unpublished topic's included.
    expect(await rows(dave.id)).toEqual([]);
  });

  it('leaves no rows when subscribes race the disconnect (real sockets)', async () => {
    const racers = await Promise.all(Array.from({ length: 8 }, () => open()));
    for (const racer of racers) {
      racer.client.send({ type: 'subscribe', topic: 'race', id: 1 });
      racer.client.send({ type: 'subscribe', topic: `race-${racer.id}`, id: 2 });
      racer.client.ws.terminate();
    }
    await Promise.all(racers.map((racer) => whenDisconnected(racer.id)));
    await Promise.all(inFlight);
    for (const racer of racers) expect(await rows(racer.id)).toEqual([]);
  });

  it('leaves no rows when subscribe invocations run concurrently with $disconnect', async () => {
    const synthetic = Array.from({ length: 10 }, () => awsStyleId());
    await Promise.all(synthetic.map((id) => invokeLambda(wsEvent('$connect', id))));
    await Promise.all(
      synthetic.flatMap((id) => [
        invokeLambda(wsEvent('$default', id, JSON.stringify({ type: 'subscribe', topic: 'race', id: 1 }))),
        invokeLambda(wsEvent('$disconnect', id)),
        invokeLambda(
          wsEvent('$default', id, JSON.stringify({ type: 'subscribe', topic: `solo-${id}`, id: 2 })),
        ),
      ]),
    );
    for (const id of synthetic) expect(await rows(id)).toEqual([]);
  });
});
