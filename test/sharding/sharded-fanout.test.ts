/**
 * The sharded fan-out on the memory store, through the broker, the in-process queue and the shard worker
 * (the code path `topicsocket dev` runs): inline below the threshold, scheduled above it, and no receiver
 * lost when a worker dies mid-shard or a shard is throttled past its budget; no shard delivered twice
 * after it succeeded.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  Broker,
  defaultShardingSettings,
  type FanoutShard,
  planShards,
  type ShardingSettings,
} from '../../src/core/index.ts';
import { awsStyleId, InProcessFanoutQueue } from '../../src/runtimes/local/index.ts';
import { MemoryStore } from '../../src/stores/index.ts';
import { LedgerGateway } from '../support/ledger-gateway.ts';

const HOUR = 3600;

interface Setup {
  broker: Broker;
  store: MemoryStore;
  gateway: LedgerGateway;
  queue: InProcessFanoutQueue;
  ids: string[];
}

const queues: InProcessFanoutQueue[] = [];
afterEach(async () => {
  await Promise.all(queues.splice(0).map((queue) => queue.close()));
});

async function setup(
  subscribers: number,
  settings: Partial<ShardingSettings> = {},
  queueOptions: ConstructorParameters<typeof InProcessFanoutQueue>[0] = {},
): Promise<Setup> {
  const store = new MemoryStore();
  const gateway = new LedgerGateway();
  const queue = new InProcessFanoutQueue({ retryDelayMs: 10, msPerDelaySecond: 10, ...queueOptions });
  queues.push(queue);
  const broker = new Broker({ store, gateway, sharding: { queue, settings } });
  const worker = broker.shardWorker();
  if (!worker) throw new Error('no shard worker');
  queue.attach(worker);
  const ids: string[] = [];
  const expiresAt = Math.floor(Date.now() / 1000) + HOUR;
  for (let i = 0; i < subscribers; i++) {
    const id = awsStyleId();
    ids.push(id);
    await store.putConnection({ connectionId: id, connectedAt: Date.now(), expiresAt });
    await store.subscribe(id, 'big', { expiresAt, maxSubscriptions: 10 });
  }
  return { broker, store, gateway, queue, ids };
}

describe('sharded fan-out (memory store, in-process workers)', () => {
  it('keeps a topic at the threshold inline: one send, no shard, delivered before the publish returns', async () => {
    const { broker, gateway, queue, ids } = await setup(1000);
    const sends: number[] = [];
    const send = gateway.send.bind(gateway);
    gateway.send = (connectionIds, frame, options) => {
      sends.push(connectionIds.length);
      return send(connectionIds, frame, options);
    };
    const result = await broker.publish('big', { n: 1 });
    expect(result).toMatchObject({ delivered: 1000, gone: 0, failed: 0, offset: 1 });
    expect(result.scheduled).toBeUndefined();
    expect(sends).toEqual([1000]);
    expect(queue.size).toBe(0);
    expect(gateway.tally(ids, 1)).toEqual({ lost: [], duplicated: 0, delivered: 1000 });
  });

  it("reads each invocation's deadline, not the one of the invocation that created the broker", async () => {
    // On Lambda the broker is built during a container's first invocation and kept: a deadline captured
    // then is long past in the next one, and would cut every later fan-out short (and give up on
    // throttled receivers instead of retrying them).
    const store = new MemoryStore();
    const gateway = new LedgerGateway();
    const queue = new InProcessFanoutQueue({ retryDelayMs: 10, msPerDelaySecond: 10 });
    queues.push(queue);
    let readDeadline = Date.now() - 1;
    const counted: string[] = [];
    const broker = new Broker({
      store,
      gateway,
      sharding: { queue },
      fanoutReadDeadline: () => readDeadline,
      metrics: { count: (name) => void counted.push(name) },
    });
    const ids: string[] = [];
    const expiresAt = Math.floor(Date.now() / 1000) + HOUR;
    for (let i = 0; i < 50; i++) {
      const id = awsStyleId();
      ids.push(id);
      await store.putConnection({ connectionId: id, connectedAt: Date.now(), expiresAt });
      await store.subscribe(id, 'small', { expiresAt, maxSubscriptions: 10 });
    }
    readDeadline = Date.now() + 60_000; // the next invocation
    gateway.throttleAfter = 10; // the first send defers 40 receivers (throttled), the retry pass takes them
    gateway.throttledSends = 1;
    const result = await broker.publish('small', { n: 1 });
    expect(result).toMatchObject({ delivered: 50, abandoned: 0 });
    expect(gateway.tally(ids, 1)).toEqual({ lost: [], duplicated: 0, delivered: 50 });
    expect(counted).not.toContain('truncatedFanouts');
  });

  it('answers the publisher of a 5,000-subscriber topic at once and delivers to all later', async () => {
    const { broker, gateway, queue, ids } = await setup(5000);
    gateway.postLatencyMs = 20; // as from Lambda to @connections; 50 in flight per shard
    const started = Date.now();
    const result = await broker.publish('big', { n: 1 });
    const ackMs = Date.now() - started;
    expect(result.scheduled).toBeGreaterThanOrEqual(2);
    expect(result).toMatchObject({ delivered: 0, offset: 1 });
    // The ack does not wait for the fan-out: most receivers have not got the message yet.
    expect(gateway.tally(ids, 1).delivered).toBeLessThan(5000);
    expect(ackMs).toBeLessThan(10_000);
    await queue.idle();
    expect(gateway.tally(ids, 1)).toEqual({ lost: [], duplicated: 0, delivered: 5000 });
    expect(queue.deadLetters).toEqual([]);
  });

  it('loses no receiver when a worker dies mid-shard: the re-delivered shard completes the rest', async () => {
    const { broker, gateway, queue, ids } = await setup(3000);
    gateway.crashAfter = 700;
    await broker.publish('big', { n: 1 });
    await queue.idle();
    const tally = gateway.tally(ids, 1);
    expect(tally.lost).toEqual([]);
    // The crashed shard ran again from its start: receivers may see the message twice, never miss it.
    expect(tally.duplicated).toBeGreaterThan(0);
    expect(queue.deadLetters).toEqual([]);
  });

  it('retries a shard throttled past its budget through the queue until every receiver has it', async () => {
    const { broker, gateway, queue, ids } = await setup(2500);
    gateway.throttleAfter = 100; // each throttled send delivers 100, defers the rest
    gateway.throttledSends = 6;
    const retried: FanoutShard[] = [];
    const enqueue = queue.enqueue.bind(queue);
    queue.enqueue = (shards, options) => {
      if (options?.delaySeconds) retried.push(...shards);
      return enqueue(shards, options);
    };
    await broker.publish('big', { n: 1 });
    await queue.idle();
    expect(gateway.tally(ids, 1)).toEqual({ lost: [], duplicated: 0, delivered: 2500 });
    expect(retried.length).toBeGreaterThan(0);
    expect(retried.every((shard) => shard.receivers && shard.attempt >= 1)).toBe(true);
  });

  it('re-enqueues the rest of a range when the worker budget runs out', async () => {
    const { broker, gateway, queue, ids } = await setup(
      2000,
      { pageSize: 100, reserveMs: 0 },
      { budgetMs: 30 },
    );
    gateway.postLatencyMs = 1;
    gateway.inFlight = 10;
    const remainders: FanoutShard[] = [];
    const enqueue = queue.enqueue.bind(queue);
    queue.enqueue = (shards, options) => {
      for (const shard of shards)
        if (shard.range?.after !== undefined && !options?.delaySeconds) remainders.push(shard);
      return enqueue(shards, options);
    };
    await broker.publish('big', { n: 1 });
    await queue.idle();
    expect(remainders.length).toBeGreaterThan(0);
    const tally = gateway.tally(ids, 1);
    expect(tally.lost).toEqual([]);
  });

  it('never processes a shard twice after it succeeded, nor a retried idempotent publish', async () => {
    const { broker, gateway, queue, ids, store } = await setup(1500);
    const first = await broker.publish('big', { n: 1 }, { idempotencyKey: 'k' });
    await queue.idle();
    expect(gateway.tally(ids, 1)).toEqual({ lost: [], duplicated: 0, delivered: 1500 });
    const postsBefore = gateway.posts;
    // The same publish again (a client retry): same offset, same shard ids, every one marked done.
    const again = await broker.publish('big', { n: 1 }, { idempotencyKey: 'k' });
    expect(again).toMatchObject({ duplicate: true, offset: first.offset, scheduled: first.scheduled });
    await queue.idle();
    expect(gateway.posts).toBe(postsBefore);
    // And one shard handed to the worker directly after it succeeded: skipped.
    const page = await store.subscriberPage('big', {}, 1001);
    const [shard] = planShards(
      'big',
      '{}',
      { epoch: first.epoch as string, offset: 1 },
      page,
      defaultShardingSettings,
      0,
    );
    expect(await broker.shardWorker()?.process(shard as FanoutShard, Date.now() + 10_000)).toBe('skipped');
    expect(gateway.posts).toBe(postsBefore);
  });

  it('dead-letters a shard whose receivers keep failing, and counts them', async () => {
    const { broker, gateway, queue, ids } = await setup(1200, { maxAttempts: 2 }, { maxReceives: 2 });
    const stuck = ids[7] as string;
    const send = gateway.send.bind(gateway);
    gateway.send = async (connectionIds, frame, options) => {
      const report = await send(
        connectionIds.filter((id) => id !== stuck),
        frame,
        options,
      );
      if (connectionIds.includes(stuck)) report.failed.push({ connectionId: stuck, error: 'injected 500' });
      return report;
    };
    await broker.publish('big', { n: 1 });
    await queue.idle();
    expect(gateway.tally(ids, 1).lost).toEqual([stuck]);
    expect(queue.deadLetters).toHaveLength(1);
    expect(queue.deadLetters[0]?.receivers).toEqual([stuck]);
  });
});
