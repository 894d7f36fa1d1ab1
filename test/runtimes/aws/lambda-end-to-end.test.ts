import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebSocketEvent, WebSocketResult } from '../../../src/core/index.ts';
import { awsStyleId } from '../../../src/runtimes/local/index.ts';
import { LambdaEnvironment } from '../../../src/stores/dynamodb/table-design.ts';
import { wsEvent } from '../../support/events.ts';
import { lambdaContext } from '../../support/lambda-context.ts';
import {
  type LambdaOnEmulator,
  startLambdaOnEmulator,
  type TestTable,
} from '../../support/lambda-on-emulator.ts';
import { rowsOfConnection } from '../../support/table-rows.ts';

describe('Lambda handler end to end (emulator + DynamoDB Local)', () => {
  let fixture: LambdaOnEmulator;
  let dynamo: TestTable;
  const disconnectWaiters = new Map<string, () => void>();
  const disconnected = new Map<string, Promise<void>>();
  const savedEnv = { ...process.env };

  const whenDisconnected = (id: string): Promise<void> => {
    let promise = disconnected.get(id);
    if (!promise) {
      promise = new Promise<void>((resolve) => disconnectWaiters.set(id, resolve));
      disconnected.set(id, promise);
    }
    return promise;
  };
  const invokeLambda = (event: WebSocketEvent): Promise<WebSocketResult> =>
    fixture.lambda(event, lambdaContext(event));
  const open = () => fixture.open();
  const rows = (id: string) => rowsOfConnection(dynamo.client, dynamo.tableName, id);

  beforeAll(async () => {
    fixture = await startLambdaOnEmulator({
      table: 'lambda-e2e',
      quiet: true,
      recordConnectionIds: true,
      route: async (event, invoke) => {
        const { routeKey, connectionId } = event.requestContext;
        if (routeKey !== '$disconnect') return invoke(event);
        whenDisconnected(connectionId);
        try {
          return await invoke(event);
        } finally {
          disconnectWaiters.get(connectionId)?.();
        }
      },
      lambda: async ({ table, managementEndpoint }) => {
        Object.assign(process.env, {
          [LambdaEnvironment.tableName]: table.tableName,
          [LambdaEnvironment.dynamodbEndpoint]: table.endpoint,
          [LambdaEnvironment.managementEndpoint]: managementEndpoint,
          AWS_REGION: 'us-east-1',
          AWS_ACCESS_KEY_ID: 'local',
          AWS_SECRET_ACCESS_KEY: 'local',
          POWERTOOLS_LOG_LEVEL: 'WARN',
          // This file tests delivery and cleanup; auth (required by default) is covered by test/security.
          TOPICSOCKET_AUTH: 'open',
        });
        // The real entry point: its configuration is read from the environment when the module loads.
        return (await import('../../../src/runtimes/aws/handler.ts')).handler;
      },
    });
    ({ table: dynamo } = fixture);
  });

  afterAll(async () => {
    await fixture?.close();
    process.env = savedEnv;
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
    fixture.missDisconnect(dave.id);
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
    await fixture.settled();
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
