/**
 * The two capabilities the sharded fan-out needs from a store, on both bundled stores (DynamoDB's on
 * DynamoDB Local): subscriber pages within a key range (ascending, paginated, TTL-filtered, disjoint
 * ranges covering the topic once) and shard completion markers (conditional, expiring).
 */
import { afterAll, describe, expect, it } from 'vitest';
import {
  type ShardLedger,
  type Store,
  type SubscriberRange,
  type SubscriberRanges,
  splitKeySpace,
} from '../../src/core/index.ts';
import { awsStyleId } from '../../src/runtimes/local/index.ts';
import { DynamoDbStore } from '../../src/stores/dynamodb/index.ts';
import { MemoryStore } from '../../src/stores/index.ts';
import { freshTable } from '../support/dynamodb-test-table.ts';

type RangeStore = Store & SubscriberRanges & { readonly shardLedger: ShardLedger };
const closers: Array<() => void> = [];
afterAll(() => {
  for (const close of closers) close();
});

const stores: Array<[string, (now: () => number) => Promise<RangeStore>]> = [
  ['memory', async (now) => new MemoryStore({ now })],
  [
    'dynamodb',
    async (now) => {
      const { client, tableName } = await freshTable('ranges');
      closers.push(() => client.destroy());
      return new DynamoDbStore({ client, tableName, now });
    },
  ],
];

async function readRange(
  store: RangeStore,
  topic: string,
  range: SubscriberRange,
  limit: number,
): Promise<string[]> {
  const ids: string[] = [];
  let after = range.after;
  for (;;) {
    const page = await store.subscriberPage(
      topic,
      {
        ...(after === undefined ? {} : { after }),
        ...(range.until === undefined ? {} : { until: range.until }),
      },
      limit,
    );
    expect(page.connectionIds.length).toBeLessThanOrEqual(limit);
    ids.push(...page.connectionIds);
    if (page.next === undefined) return ids;
    after = page.next;
  }
}

describe.each(stores)('%s store: subscriber ranges and shard markers', (_name, create) => {
  it('reads each key range in ascending pages, live subscribers only, every subscriber exactly once', async () => {
    let clock = Date.now();
    const store = await create(() => clock);
    const nowSeconds = Math.floor(clock / 1000);
    const live: string[] = [];
    for (let i = 0; i < 40; i++) {
      const id = awsStyleId();
      const expiresAt = i % 10 === 3 ? nowSeconds + 5 : nowSeconds + 3600;
      await store.putConnection({ connectionId: id, connectedAt: clock, expiresAt: nowSeconds + 3600 });
      await store.subscribe(id, 'ranges', { expiresAt, maxSubscriptions: 5 });
      if (i % 10 !== 3) live.push(id);
    }
    clock += 10_000; // four subscriptions expire: still stored, filtered at read time
    const ranges = splitKeySpace(4);
    const seen: string[] = [];
    for (const range of ranges) {
      const ids = await readRange(store, 'ranges', range, 7);
      expect([...ids].sort()).toEqual(ids);
      for (const id of ids) {
        if (range.after !== undefined) expect(id > range.after).toBe(true);
        if (range.until !== undefined) expect(id <= range.until).toBe(true);
      }
      seen.push(...ids);
    }
    expect(seen.sort()).toEqual([...live].sort());
    // The whole topic in one page when it fits, with no cursor: the inline path's one read.
    const whole = await store.subscriberPage('ranges', {}, 41);
    expect(whole.next).toBeUndefined();
    expect([...whole.connectionIds].sort()).toEqual([...live].sort());
    // A page cut by the limit says where it stopped.
    expect((await store.subscriberPage('ranges', {}, 20)).next).toEqual(expect.any(String));
    expect(await store.subscriberPage('unknown-topic', {}, 10)).toEqual({ connectionIds: [] });
  });

  it('marks a shard done once; an expired marker counts as absent', async () => {
    let clock = Date.now();
    const store = await create(() => clock);
    const nowSeconds = Math.floor(clock / 1000);
    expect(await store.shardLedger.isShardDone('s1')).toBe(false);
    expect(await store.shardLedger.markShardDone('s1', nowSeconds + 60)).toBe(true);
    expect(await store.shardLedger.markShardDone('s1', nowSeconds + 60)).toBe(false);
    expect(await store.shardLedger.isShardDone('s1')).toBe(true);
    clock += 120_000;
    expect(await store.shardLedger.isShardDone('s1')).toBe(false);
    expect(await store.shardLedger.markShardDone('s1', nowSeconds + 600)).toBe(true);
  });
});
