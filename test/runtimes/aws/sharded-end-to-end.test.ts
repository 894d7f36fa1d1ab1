/**
 * The sharded fan-out end to end through the real Lambda handlers: the WebSocket function (its real entry
 * point, configured by environment) behind the local API Gateway emulator, DynamoDB Local, the SQS stand-in
 * between the publish and the worker function, and a stand-in of Lambda's SQS event source mapping
 * (partial batch responses, visibility timeouts, redrive). Real `ws` clients receive through the emulator's
 * `@connections` API. Faults are injected through SDK middleware only.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FanoutEnvironment } from '../../../src/core/index.ts';
import { loadAwsRuntimeConfig } from '../../../src/runtimes/aws/config.ts';
import { ManagementClients } from '../../../src/runtimes/aws/management-clients.ts';
import { createSqsClient } from '../../../src/runtimes/aws/sqs-fanout-queue.ts';
import { createWorkerHandler } from '../../../src/runtimes/aws/worker-handler.ts';
import { awsStyleId, type LocalServer } from '../../../src/runtimes/local/index.ts';
import { createDynamoDbClient } from '../../../src/stores/dynamodb/index.ts';
import { LambdaEnvironment } from '../../../src/stores/dynamodb/table-design.ts';
import {
  type LambdaOnEmulator,
  startLambdaOnEmulator,
  type TestTable,
} from '../../support/lambda-on-emulator.ts';
import { localManagementClient } from '../../support/management-client.ts';
import { injectFault, RequestCounter } from '../../support/sdk-faults.ts';
import { type SqsEventSource, startSqsEventSource } from '../../support/sqs-event-source.ts';
import { type SqsStandIn, type StandInQueue, startSqsStandIn } from '../../support/sqs-stand-in.ts';
import { type Frame, TestClient } from '../local/client.ts';

const SUBSCRIBERS = 30;
/** The worker function's timeout; the queue's visibility timeout is a little longer, as AWS requires. */
const WORKER_TIMEOUT_MS = 8000;

describe('sharded fan-out through the real Lambda handlers (emulator, DynamoDB Local, SQS stand-in)', () => {
  let fixture: LambdaOnEmulator;
  let server: LocalServer;
  let sqs: SqsStandIn;
  let queue: StandInQueue;
  let dlq: StandInQueue;
  let source: SqsEventSource;
  let dynamo: TestTable;
  let workerDynamo: DynamoDBClient;
  let workerSqs: SQSClient;
  let sourceSqs: SQSClient;
  // Posts through the SDK client, where this test's middleware injects faults (the signed poster skips it).
  const workerClients = new ManagementClients((url) => localManagementClient(url), { posts: 'sdk' });
  const subscribers: TestClient[] = [];
  let publisher: TestClient;
  const savedEnv = { ...process.env };
  const invocationWaiters: Array<() => void> = [];

  /** Reads frames until the message at `offset` arrives; a missing one fails the test by timeout. */
  const receive = async (client: TestClient, offset: number): Promise<Frame> => {
    for (;;) {
      const frame = await client.next(15_000);
      if (frame.type === 'message' && frame.offset === offset) return frame;
    }
  };
  const everyoneReceives = (offset: number) =>
    Promise.all(subscribers.map((client) => receive(client, offset)));
  const publish = async (n: number): Promise<Frame> => {
    const ack = await publisher.request({ type: 'publish', topic: 'big', data: { n }, id: n });
    expect(ack).toMatchObject({ type: 'published', scheduled: true, offset: expect.any(Number) });
    return ack;
  };
  const nextInvocation = () => new Promise<void>((resolve) => invocationWaiters.push(resolve));

  beforeAll(async () => {
    sqs = await startSqsStandIn();
    dlq = sqs.createQueue('fanout-dlq');
    queue = sqs.createQueue('fanout', {
      visibilityTimeoutMs: WORKER_TIMEOUT_MS + 500,
      deadLetter: { queue: dlq, maxReceiveCount: 3 },
    });
    fixture = await startLambdaOnEmulator({
      table: 'sharded-e2e',
      quiet: true,
      server: { connectionIds: awsStyleId },
      lambda: async ({ table, managementEndpoint }) => {
        Object.assign(process.env, {
          [LambdaEnvironment.tableName]: table.tableName,
          [LambdaEnvironment.dynamodbEndpoint]: table.endpoint,
          [LambdaEnvironment.managementEndpoint]: managementEndpoint,
          // Small pages and threshold: 30 subscribers take the sharded path, each shard reads several pages.
          [LambdaEnvironment.subscriberPageSize]: '5',
          [FanoutEnvironment.threshold]: '10',
          [FanoutEnvironment.queueUrl]: queue.url,
          [FanoutEnvironment.sqsEndpoint]: sqs.endpoint,
          AWS_REGION: 'us-east-1',
          AWS_ACCESS_KEY_ID: 'local',
          AWS_SECRET_ACCESS_KEY: 'local',
          POWERTOOLS_LOG_LEVEL: 'CRITICAL',
          TOPICSOCKET_AUTH: 'open',
        });
        return (await import('../../../src/runtimes/aws/handler.ts')).handler;
      },
    });
    ({ server, table: dynamo } = fixture);

    workerDynamo = createDynamoDbClient({ endpoint: dynamo.endpoint });
    workerSqs = createSqsClient(sqs.endpoint);
    sourceSqs = createSqsClient(sqs.endpoint);
    const worker = createWorkerHandler(loadAwsRuntimeConfig(process.env), {
      dynamoDb: workerDynamo,
      managementClients: workerClients,
      sqs: workerSqs,
      postRetry: { baseDelayMs: 1, maxDelayMs: 5 },
    });
    source = startSqsEventSource({
      client: sourceSqs,
      queueUrl: queue.url,
      queueArn: queue.arn,
      handler: worker,
      batchSize: 1,
      maximumConcurrency: 3,
      timeoutMs: WORKER_TIMEOUT_MS,
      onInvocation: () => {
        for (const resolve of invocationWaiters.splice(0)) resolve();
      },
    });

    publisher = await TestClient.open(server.url);
    for (let i = 0; i < SUBSCRIBERS; i++) {
      const client = await TestClient.open(server.url);
      expect(await client.request({ type: 'subscribe', topic: 'big', id: 1 })).toMatchObject({
        type: 'subscribed',
      });
      subscribers.push(client);
    }
  });

  afterAll(async () => {
    await source?.stop();
    await Promise.all([publisher, ...subscribers].filter(Boolean).map((client) => client.close()));
    await fixture?.close();
    await sqs?.close();
    workerClients.destroy();
    for (const client of [workerDynamo, workerSqs, sourceSqs]) client?.destroy();
    process.env = savedEnv;
  });

  it('acks "stored and scheduled" at once, and the workers deliver to every subscriber', async () => {
    const before = { ...sqs.counts };
    const workerRequests = new RequestCounter(workerDynamo);
    const ack = await publish(1);
    await everyoneReceives(ack.offset as number);
    while (queue.messages().length > 0) await nextInvocation();
    const delta = (operation: string) => (sqs.counts[operation] ?? 0) - (before[operation] ?? 0);
    // Requests per sharded publish (docs/cost.md): 30 subscribers, 2 shards planned by the publisher.
    expect(delta('SendMessageBatch')).toBe(1);
    expect(delta('DeleteMessageBatch')).toBe(2);
    expect(workerRequests.count('GetItemCommand')).toBe(2); // one marker check per shard
    expect(workerRequests.count('PutItemCommand')).toBe(2); // one marker write per shard
    expect(workerRequests.count('QueryCommand')).toBeGreaterThanOrEqual(6); // pages of 5 over 30 subscribers
    workerRequests.detach();
    expect(dlq.messages()).toEqual([]);
  });

  it('keeps a topic at the threshold inline: delivered before the ack, nothing queued', async () => {
    const small = subscribers.slice(0, 10);
    for (const client of small) await client.request({ type: 'subscribe', topic: 'small', id: 2 });
    const sentBefore = sqs.counts.SendMessageBatch ?? 0;
    const ack = await publisher.request({ type: 'publish', topic: 'small', data: 'hi', id: 'small' });
    expect(ack).toEqual({
      type: 'published',
      topic: 'small',
      id: 'small',
      offset: 1,
      epoch: expect.any(String),
    });
    for (const client of small)
      expect(await receive(client, 1)).toMatchObject({ topic: 'small', data: 'hi' });
    expect(sqs.counts.SendMessageBatch ?? 0).toBe(sentBefore);
  });

  it('loses no receiver when the worker dies mid-shard (an exception after some posts)', async () => {
    let fired = 0;
    const remove = injectFault(workerDynamo, ({ commandName, input }) => {
      // A shard's second page: the worker has posted to the first page's receivers already.
      if (commandName === 'QueryCommand' && input.ExclusiveStartKey && fired === 0) {
        fired++;
        return Object.assign(new Error('injected: the worker died'), { name: 'ValidationException' });
      }
      return undefined;
    });
    try {
      const shortened = sqs.counts.ChangeMessageVisibility ?? 0;
      const ack = await publish(2);
      await everyoneReceives(ack.offset as number);
      expect(fired).toBe(1);
      // The failed shard was made visible again after seconds, not after the whole visibility timeout.
      expect((sqs.counts.ChangeMessageVisibility ?? 0) - shortened).toBe(1);
      expect(dlq.messages()).toEqual([]);
    } finally {
      remove();
    }
  });

  it('loses no receiver when the worker process is frozen mid-shard and its invocation times out', async () => {
    // The frozen invocation never answers: the event source abandons it at the function timeout, and the
    // shard's message comes back after the visibility timeout. No catch block of the worker ever runs.
    const hang = workerDynamo.middlewareStack;
    const name = 'freeze-once';
    let froze = false;
    hang.add(
      (next, context) => async (args) => {
        const input = args.input as Record<string, unknown>;
        if (!froze && context.commandName === 'QueryCommand' && input.ExclusiveStartKey) {
          froze = true;
          return new Promise<never>(() => {});
        }
        return next(args);
      },
      { step: 'initialize', name },
    );
    try {
      const ack = await publish(3);
      await everyoneReceives(ack.offset as number);
      expect(froze).toBe(true);
    } finally {
      hang.remove(name);
    }
  }, 40_000);

  it('sends receivers still throttled at the worker deadline back through the queue, until all have the message', async () => {
    let throttled = 0;
    const counter = new RequestCounter(workerSqs);
    // Every post is throttled (the account's 429) until a worker has handed its deferred receivers back to the
    // queue: the throttle-aware gateway keeps retrying them until the shard's deadline, then reports them
    // deferred, and the worker re-enqueues them as a retry shard.
    const remove = injectFault(workerClients.for(server.managementEndpoint), ({ commandName }) => {
      if (commandName !== 'PostToConnectionCommand' || counter.count('SendMessageBatchCommand') > 0) {
        return undefined;
      }
      throttled++;
      return Object.assign(new Error('Too Many Requests'), {
        name: 'LimitExceededException',
        $metadata: { httpStatusCode: 429 },
      });
    });
    try {
      const ack = await publish(4);
      await everyoneReceives(ack.offset as number);
      expect(throttled).toBeGreaterThan(0);
      expect(counter.count('SendMessageBatchCommand')).toBeGreaterThanOrEqual(1);
    } finally {
      remove();
      counter.detach();
    }
  });

  it('does not deliver a shard again when it is re-delivered after it succeeded (a lost delete)', async () => {
    let lost = 0;
    const remove = injectFault(sourceSqs, ({ commandName }) => {
      if (commandName !== 'DeleteMessageBatchCommand' || lost > 0) return undefined;
      lost++;
      return new Error('injected: the delete was lost');
    });
    // Posts of this message only (earlier tests' retry shards may still be finishing).
    let posts = 0;
    const count = injectFault(workerClients.for(server.managementEndpoint), ({ commandName, input }) => {
      const data = input.Data instanceof Uint8Array ? new TextDecoder().decode(input.Data) : '';
      if (commandName === 'PostToConnectionCommand' && data.includes('"offset":5,')) posts++;
      return undefined;
    });
    try {
      const ack = await publish(5);
      await everyoneReceives(ack.offset as number);
      expect(posts).toBe(SUBSCRIBERS);
      // Wait for the re-delivery of the shard whose delete was lost (after the visibility timeout).
      while (queue.messages().length > 0) await nextInvocation();
      expect(lost).toBe(1);
      expect(posts).toBe(SUBSCRIBERS);
      for (const client of subscribers) {
        while (client.pending > 0) expect((await client.next()).offset).not.toBe(5);
      }
    } finally {
      remove();
      count();
    }
  }, 40_000);
});
