/**
 * DynamoDB faults injected through SDK middleware against DynamoDB Local: throttling turns into a retryable
 * `unavailable` reply with nothing half-written, and UnprocessedItems are retried until every delete lands.
 */
import { randomUUID } from 'node:crypto';
import {
  DynamoDBClient,
  ProvisionedThroughputExceededException,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Broker } from '../../src/core/index.ts';
import { BatchWriteIncompleteError, DynamoDbStore } from '../../src/stores/dynamodb/index.ts';
import { freshTable } from '../support/dynamodb-test-table.ts';
import { wsEvent } from '../support/events.ts';
import { RecordingGateway } from '../support/recording-gateway.ts';
import { injectFault, interceptCommand, RequestCounter } from '../support/sdk-faults.ts';

const throttled = () =>
  new ProvisionedThroughputExceededException({
    message: 'injected: throughput exceeds the current capacity',
    $metadata: { httpStatusCode: 400 },
  });

let endpoint: string;
let tableName: string;
let setupClient: DynamoDBClient;

beforeAll(async () => {
  ({ endpoint, tableName, client: setupClient } = await freshTable('faults'));
});
afterAll(() => setupClient.destroy());

describe('DynamoDB store under injected faults', () => {
  let client: DynamoDBClient;
  let counter: RequestCounter;
  let store: DynamoDbStore;
  let gateway: RecordingGateway;
  let broker: Broker;
  const id = (label: string) => `${label}-${randomUUID().slice(0, 8)}=`;
  const send = async (connectionId: string, frame: unknown) => {
    const result = await broker.handle(wsEvent('$default', connectionId, JSON.stringify(frame)));
    return result.body === undefined ? undefined : JSON.parse(result.body);
  };
  const connect = async (connectionId: string) => {
    expect((await broker.handle(wsEvent('$connect', connectionId))).statusCode).toBe(200);
  };
  const subscribersOf = async (topic: string) => {
    const ids: string[] = [];
    for await (const page of store.subscribers(topic)) ids.push(...page);
    return ids;
  };

  beforeEach(() => {
    // Two attempts: the SDK's own throttling retry is exercised, and the test stays fast.
    client = new DynamoDBClient({
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 2,
    });
    counter = new RequestCounter(client);
    store = new DynamoDbStore({
      client,
      tableName,
      pageSize: 5,
      batchRetry: { maxAttempts: 5, baseDelayMs: 1, maxDelayMs: 5 },
    });
    gateway = new RecordingGateway();
    broker = new Broker({ store, gateway });
  });

  it('answers a throttled publish with a retryable `unavailable` error, and the retry delivers', async () => {
    const [reader, writer, topic] = [id('reader'), id('writer'), id('topic')];
    await connect(reader);
    await connect(writer);
    await send(reader, { type: 'subscribe', topic });
    const heal = injectFault(client, (r) => (r.commandName === 'QueryCommand' ? throttled() : undefined));
    counter.reset();
    expect(await send(writer, { type: 'publish', topic, data: 1, id: 'p1' })).toMatchObject({
      type: 'error',
      code: 'unavailable',
      retryable: true,
      id: 'p1',
    });
    expect(counter.count('QueryCommand')).toBe(2); // the SDK retried the throttled Query once
    expect(gateway.received(reader)).toEqual([]);
    heal();
    expect(await send(writer, { type: 'publish', topic, data: 2, id: 'p2' })).toMatchObject({
      type: 'published',
    });
    // The first attempt was stored in history (offset 1) before its fan-out failed: not delivered live, but a
    // reader that resubscribes with `since` gets it from history.
    expect(gateway.received(reader)).toEqual([
      { type: 'message', topic, data: 2, offset: 2, epoch: expect.any(String) },
    ]);
  });

  it('leaves nothing half-written when a subscribe transaction is throttled', async () => {
    const [reader, topic] = [id('reader'), id('topic')];
    await connect(reader);
    const heal = injectFault(client, (r) =>
      r.commandName === 'TransactWriteItemsCommand' ? throttled() : undefined,
    );
    expect(await send(reader, { type: 'subscribe', topic, id: 's1' })).toMatchObject({
      code: 'unavailable',
      retryable: true,
    });
    expect(await store.topicsOf(reader)).toEqual([]);
    expect(await subscribersOf(topic)).toEqual([]);
    heal();
    expect(await send(reader, { type: 'subscribe', topic, id: 's2' })).toMatchObject({ type: 'subscribed' });
    expect(await subscribersOf(topic)).toEqual([reader]);
  });

  it('reports a transaction cancelled by throttling as `unavailable` instead of retrying it as a race', async () => {
    const [reader, topic] = [id('reader'), id('topic')];
    await connect(reader);
    const heal = injectFault(client, (r) =>
      r.commandName === 'TransactWriteItemsCommand'
        ? new TransactionCanceledException({
            message: 'injected: Transaction cancelled [ThrottlingError, None]',
            $metadata: { httpStatusCode: 400 },
            CancellationReasons: [{ Code: 'ThrottlingError' }, { Code: 'None' }],
          })
        : undefined,
    );
    counter.reset();
    expect(await send(reader, { type: 'subscribe', topic, id: 's1' })).toMatchObject({ code: 'unavailable' });
    expect(counter.count('TransactWriteItemsCommand')).toBe(1);
    heal();
    expect(await store.topicsOf(reader)).toEqual([]);
  });

  it('stays consistent when a committed subscribe loses its response, and the client retries', async () => {
    const [reader, topic] = [id('reader'), id('topic')];
    await connect(reader);
    const heal = injectFault(
      client,
      (r) => (r.commandName === 'TransactWriteItemsCommand' ? throttled() : undefined),
      { after: true },
    );
    expect(await send(reader, { type: 'subscribe', topic, id: 's1' })).toMatchObject({ code: 'unavailable' });
    heal();
    // The write did land; the retry sees it and both views agree.
    expect(
      await store.subscribe(reader, topic, {
        expiresAt: Math.floor(Date.now() / 1000) + 60,
        maxSubscriptions: 5,
      }),
    ).toBe('already_subscribed');
    expect(await store.topicsOf(reader)).toEqual([topic]);
    expect(await subscribersOf(topic)).toEqual([reader]);
    await broker.handle(wsEvent('$disconnect', reader));
    expect(await subscribersOf(topic)).toEqual([]);
  });

  it('retries UnprocessedItems until every subscription of a disconnecting connection is deleted', async () => {
    const reader = id('reader');
    const topics = Array.from({ length: 30 }, (_, i) => id(`t${i}`));
    await store.putConnection({
      connectionId: reader,
      connectedAt: Date.now(),
      expiresAt: Math.floor(Date.now() / 1000) + 600,
    });
    for (const topic of topics) {
      await store.subscribe(reader, topic, {
        expiresAt: Math.floor(Date.now() / 1000) + 600,
        maxSubscriptions: 100,
      });
    }
    const batchSizes: number[] = [];
    // DynamoDB processes only 10 requests of each call (as under throttling) and returns the rest.
    interceptCommand(client, 'BatchWriteItemCommand', async (input, sendToDynamo) => {
      const [table, requests] = Object.entries(input.RequestItems as Record<string, unknown[]>)[0] ?? [];
      batchSizes.push(requests?.length ?? 0);
      const output = await sendToDynamo({
        ...input,
        RequestItems: { [table as string]: requests?.slice(0, 10) },
      });
      const rest = requests?.slice(10) ?? [];
      return { ...output, UnprocessedItems: rest.length ? { [table as string]: rest } : {} };
    });
    await store.removeConnection(reader);
    expect(Math.max(...batchSizes)).toBe(25); // never more than DynamoDB's limit per call
    expect(batchSizes.reduce((a, b) => a + b, 0)).toBeGreaterThan(30); // leftovers were sent again
    for (const topic of topics) expect(await subscribersOf(topic)).toEqual([]);
  });

  it('gives up on UnprocessedItems after a bounded number of attempts, with a clear error', async () => {
    const reader = id('reader');
    await store.putConnection({
      connectionId: reader,
      connectedAt: Date.now(),
      expiresAt: Math.floor(Date.now() / 1000) + 600,
    });
    await store.subscribe(reader, id('t'), {
      expiresAt: Math.floor(Date.now() / 1000) + 600,
      maxSubscriptions: 100,
    });
    let calls = 0;
    interceptCommand(client, 'BatchWriteItemCommand', async (input) => {
      calls++;
      return { UnprocessedItems: input.RequestItems };
    });
    await expect(store.removeConnection(reader)).rejects.toThrow(BatchWriteIncompleteError);
    expect(calls).toBe(5);
  });
});
