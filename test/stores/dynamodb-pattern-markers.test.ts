/**
 * The per-process cache of pattern-marker reads (src/stores/dynamodb/pattern-marker-cache.ts), on DynamoDB
 * Local: several DynamoDbStore instances on one table stand for several Lambda containers. Time is a
 * VirtualClock (test/support/virtual-clock.ts): it moves only when the code under test waits or a test moves
 * it, so nothing here sleeps. Request counts are asserted and written to
 * $TMPDIR/topicsocket-marker-cache.json (docs/cost.md, "Presence and wildcards").
 */
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createDynamoDbClient,
  DynamoDbStore,
  MARKER_CACHE_WINDOW_MS,
  MARKER_WAIT_MARGIN_MS,
} from '../../src/stores/dynamodb/index.ts';
import { freshTable } from '../support/dynamodb-test-table.ts';
import { injectFault, RequestCounter } from '../support/sdk-faults.ts';
import { VirtualClock } from '../support/virtual-clock.ts';

const HOUR = 3600;
const WAIT = MARKER_CACHE_WINDOW_MS + MARKER_WAIT_MARGIN_MS;

let table: { client: DynamoDBClient; tableName: string; endpoint: string };
const clients: DynamoDBClient[] = [];
const figures: Record<string, unknown> = {};

beforeAll(async () => {
  table = await freshTable('markers');
});

afterAll(() => {
  for (const client of clients) client.destroy();
  table.client.destroy();
  writeFileSync(join(tmpdir(), 'topicsocket-marker-cache.json'), JSON.stringify(figures, null, 2));
});

/** One "process": its own client (counted), store and marker cache, on the shared table and wall clock. */
function processOn(
  wall: { now: number },
  clock: VirtualClock,
  options: { maxEntries?: number; pageSize?: number } = {},
) {
  const client = createDynamoDbClient({ endpoint: table.endpoint });
  clients.push(client);
  const counter = new RequestCounter(client);
  const store = new DynamoDbStore({
    client,
    tableName: table.tableName,
    now: () => wall.now,
    ...(options.pageSize === undefined ? {} : { pageSize: options.pageSize }),
    markerCache: { clock, ...(options.maxEntries === undefined ? {} : { maxEntries: options.maxEntries }) },
  });
  /** The receivers of a publish to `topic`, as the inline fan-out reads them. */
  const receivers = async (topic: string) => {
    const ids: string[] = [];
    for await (const page of store.subscribers(topic)) ids.push(...page);
    return ids.sort();
  };
  /** Connects `id` and subscribes it to `topic` for an hour. */
  const subscribe = async (id: string, topic: string) => {
    const nowSeconds = Math.floor(wall.now / 1000);
    await store.putConnection({ connectionId: id, connectedAt: wall.now, expiresAt: nowSeconds + 2 * HOUR });
    return store.subscribe(id, topic, { expiresAt: nowSeconds + HOUR, maxSubscriptions: 10 });
  };
  return { client, counter, store, receivers, subscribe };
}

const ns = () => `mk-${randomUUID().slice(0, 12)}`;
const uid = (label: string) => `${label}-${randomUUID()}=`;

describe('pattern-marker cache (DynamoDB Local)', () => {
  it('a publish right after the first wildcard subscriber’s ack reaches it, though the publisher had the marker cached as absent', async () => {
    const wall = { now: Date.now() };
    const clock = new VirtualClock();
    const publisher = processOn(wall, clock);
    const subscriber = processOn(wall, clock);
    const root = ns();
    const topic = `${root}/a/b`;
    // The publisher reads `*`, `<root>/*`, `<root>/a/*`: none live, and now cached as such.
    expect(await publisher.receivers(topic)).toEqual([]);
    expect(publisher.counter.count('BatchGetItemCommand')).toBe(1);
    const first = uid('first');
    expect(await subscriber.subscribe(first, `${root}/*`)).toBe('subscribed');
    // It created the marker, so it waited out the window (and marked the marker ready) before resolving.
    expect(clock.sleeps).toEqual([WAIT]);
    publisher.counter.reset();
    expect(await publisher.receivers(topic)).toEqual([first]);
    expect(publisher.counter.count('BatchGetItemCommand')).toBe(1);
    // A later subscriber of the now ready pattern acks at once.
    const second = uid('second');
    expect(await subscriber.subscribe(second, `${root}/*`)).toBe('subscribed');
    expect(clock.sleeps).toEqual([WAIT]);
    expect(await publisher.receivers(topic)).toEqual([first, second].sort());

    // The control: a subscriber whose wait passes on another clock than the publisher's (as if it had not
    // waited) is missed while the publisher trusts its cached "absent", so the wait is what makes it right.
    const hasty = processOn(wall, new VirtualClock());
    const missed = uid('missed');
    expect(await hasty.subscribe(missed, `${root}/a/*`)).toBe('subscribed');
    expect(await publisher.receivers(topic)).toEqual([first, second].sort());
    clock.advance(MARKER_CACHE_WINDOW_MS);
    expect(await publisher.receivers(topic)).toEqual([first, second, missed].sort());
  });

  it('makes concurrent first subscribers all wait for the new marker; once it is ready, a subscriber does not', async () => {
    const wall = { now: Date.now() };
    const clock = new VirtualClock('manual');
    const [a, b, c] = [processOn(wall, clock), processOn(wall, clock), processOn(wall, clock)];
    const publisher = processOn(wall, clock);
    const pattern = `${ns()}/*`;
    const topic = pattern.replace('*', 'x');
    expect(await publisher.receivers(topic)).toEqual([]);
    const ids = [uid('a'), uid('b')];
    const settled: string[] = [];
    const subscribes = [a, b].map((p, i) =>
      p.subscribe(ids[i] as string, pattern).then((outcome) => {
        settled.push(outcome);
        return outcome;
      }),
    );
    // One of them created the marker, the other found it unready: both wait, neither has resolved.
    await clock.untilSleeping(2);
    expect(settled).toEqual([]);
    expect(clock.sleeps).toEqual([WAIT, WAIT]);
    clock.advance(WAIT);
    expect(await Promise.all(subscribes)).toEqual(['subscribed', 'subscribed']);
    expect(await publisher.receivers(topic)).toEqual([...ids].sort());
    const later = uid('c');
    expect(await c.subscribe(later, pattern)).toBe('subscribed');
    expect(clock.sleeps).toHaveLength(2);
    // The later subscriber's whole cost: its connection's UpdateItem, then one for the marker (TTL raised).
    expect(c.counter.snapshot()).toEqual({
      UpdateItemCommand: 2,
      GetItemCommand: 1,
      TransactWriteItemsCommand: 1,
    });
  });

  it('re-creates an expired marker (and waits again); a marker cached live past its TTL costs only an empty Query', async () => {
    const wall = { now: Date.now() };
    const clock = new VirtualClock();
    const publisher = processOn(wall, clock);
    const subscriber = processOn(wall, clock);
    const root = ns();
    const topic = `${root}/t`;
    const early = uid('early');
    const nowSeconds = Math.floor(wall.now / 1000);
    await subscriber.store.putConnection({
      connectionId: early,
      connectedAt: wall.now,
      expiresAt: nowSeconds + 60,
    });
    await subscriber.store.subscribe(early, `${root}/*`, {
      expiresAt: nowSeconds + 60,
      maxSubscriptions: 10,
    });
    expect(clock.sleeps).toEqual([WAIT]);
    expect(await publisher.receivers(topic)).toEqual([early]);
    // Every subscription of the pattern and its marker expire; the publisher's cache still says live.
    wall.now += 61_000;
    publisher.counter.reset();
    expect(await publisher.receivers(topic)).toEqual([]);
    expect(publisher.counter.snapshot()).toEqual({ QueryCommand: 2 });
    // The next subscriber finds the marker expired: a new life of it, so it waits like a first subscriber.
    const late = uid('late');
    expect(await subscriber.subscribe(late, `${root}/*`)).toBe('subscribed');
    expect(clock.sleeps).toEqual([WAIT, WAIT]);
    expect(await publisher.receivers(topic)).toEqual([late]);
  });

  it('keeps at most maxEntries marker reads, least recently used out first', async () => {
    const wall = { now: Date.now() };
    const clock = new VirtualClock();
    const p = processOn(wall, clock, { maxEntries: 3 });
    const asked: string[][] = [];
    injectFault(p.client, (request) => {
      if (request.commandName === 'BatchGetItemCommand') {
        const items = request.input.RequestItems as Record<string, { Keys: Array<{ pk: { S: string } }> }>;
        asked.push((items[table.tableName]?.Keys ?? []).map((key) => key.pk.S.slice(2)));
      }
      return undefined;
    });
    const [x, y, z] = [ns(), ns(), ns()];
    for (const root of [x, y, z]) await p.receivers(`${root}/t`);
    // `*` is used by all three, so `<x>/*`, the least recently used, made room for `<z>/*`.
    expect(p.store.cachedMarkers).toBe(3);
    await p.receivers(`${y}/t`);
    await p.receivers(`${x}/t`);
    expect(asked).toEqual([['*', `${x}/*`], [`${y}/*`], [`${z}/*`], [`${x}/*`]]);
    expect(p.store.cachedMarkers).toBe(3);
  });

  it('counts requests per publish, cold and warm, and marker reads per second at N publishes per second', async () => {
    const wall = { now: Date.now() };
    const clock = new VirtualClock();
    const p = processOn(wall, clock);
    const subscriber = processOn(wall, clock);
    const root = ns();
    const topic = `${root}/a/b`;
    const perPublish = async () => {
      p.counter.reset();
      await p.receivers(topic);
      return p.counter.snapshot();
    };
    const counts: Record<string, Record<string, number>> = {};
    counts['no wildcard subscriber, cold'] = await perPublish();
    counts['no wildcard subscriber, warm'] = await perPublish();
    await subscriber.subscribe(uid('w'), `${root}/*`);
    counts['wildcard subscriber of <root>/*, cold'] = await perPublish();
    counts['wildcard subscriber of <root>/*, warm'] = await perPublish();
    expect(counts).toEqual({
      'no wildcard subscriber, cold': { BatchGetItemCommand: 1, QueryCommand: 1 },
      'no wildcard subscriber, warm': { QueryCommand: 1 },
      'wildcard subscriber of <root>/*, cold': { BatchGetItemCommand: 1, QueryCommand: 2 },
      'wildcard subscriber of <root>/*, warm': { QueryCommand: 2 },
    });
    // N publishes per second for 2 seconds from one process: the markers are read once per window.
    const seconds = 2;
    const rates: Record<string, { publishes: number; batchGetItem: number; markerKeysRead: number }> = {};
    for (const perSecond of [10, 100, 1000]) {
      const other = `${ns()}/a/b`;
      clock.advance(MARKER_CACHE_WINDOW_MS);
      p.counter.reset();
      const publishes = perSecond * seconds;
      for (let i = 0; i < publishes; i++) {
        await p.receivers(other);
        clock.advance(1000 / perSecond);
      }
      const batchGetItem = p.counter.count('BatchGetItemCommand');
      expect(batchGetItem).toBe(seconds);
      expect(p.counter.count('QueryCommand')).toBe(publishes);
      // Each read is the 3 markers of `*`, `<ns>/*`, `<ns>/a/*`.
      rates[`${perSecond} publishes/s`] = { publishes, batchGetItem, markerKeysRead: batchGetItem * 3 };
    }
    figures.perPublish = counts;
    figures.markerReadsOver2Seconds = rates;
    figures.windowMs = MARKER_CACHE_WINDOW_MS;
  }, 120_000);
});
