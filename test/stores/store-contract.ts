/**
 * The Store contract: every store implementation runs this same suite (memory here, DynamoDB Local in
 * dynamodb-store.test.ts). Ids are random per test so implementations may share one database.
 */
import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import type {
  ConnectionRecord,
  History,
  Presence,
  Retention,
  Store,
  SubscriberRanges,
} from '../../src/core/index.ts';
import { describeWildcardAndPresenceContract } from './wildcard-presence-contract.ts';

/** A store that keeps message history (`store.history`), as every bundled store does. */
export type HistoryStore = Store & { readonly history: History };

/** Every bundled store keeps history, reads subscriber ranges and keeps presence (`store.presence`) too. */
export type ContractStore = HistoryStore & SubscriberRanges & { readonly presence: Presence };

export interface StoreFixture {
  store: ContractStore;
  /** Moves the store's clock forward. */
  advance(ms: number): void;
  /** Wall time of the store's clock, epoch milliseconds. */
  now(): number;
}

export interface StoreFactoryOptions {
  /** Subscribers per page the store should yield, small so pagination is exercised. */
  pageSize: number;
}

const HOUR = 3600;

export function describeStoreContract(
  name: string,
  makeFixture: (options: StoreFactoryOptions) => Promise<StoreFixture>,
): void {
  describe(`Store contract: ${name}`, () => {
    let fx: StoreFixture;
    let store: ContractStore;
    const nowSeconds = () => Math.floor(fx.now() / 1000);
    const uid = (label: string) => `${label}-${randomUUID()}=`;
    const connection = (id: string, ttlSeconds = HOUR): ConnectionRecord => ({
      connectionId: id,
      connectedAt: fx.now(),
      expiresAt: nowSeconds() + ttlSeconds,
      sourceIp: '127.0.0.1',
    });
    const sub = (ttlSeconds = HOUR, maxSubscriptions = 100) => ({
      expiresAt: nowSeconds() + ttlSeconds,
      maxSubscriptions,
    });
    const collect = async (topic: string) => {
      const ids: string[] = [];
      const pages: number[] = [];
      for await (const page of store.subscribers(topic)) {
        pages.push(page.length);
        ids.push(...page);
      }
      return { ids, pages };
    };

    beforeEach(async () => {
      fx = await makeFixture({ pageSize: 7 });
      store = fx.store;
    });

    it('stores and reads back a connection record', async () => {
      const id = uid('c');
      const record = connection(id);
      await store.putConnection(record);
      expect(await store.getConnection(id)).toEqual(record);
      expect(await store.getConnection(uid('missing'))).toBeUndefined();
    });

    it("keeps the hooks' user data with the connection exactly as given, and drops it when stored without", async () => {
      const id = uid('c');
      // As JSON.parse gives it: `__proto__` an own key, a number beyond DynamoDB's range, an empty key.
      const user = JSON.parse(
        '{"name":"Ada","__proto__":"kept","big":1e300,"nested":[{"":null,"n":-0.5}],"e":""}',
      );
      const record: ConnectionRecord = { ...connection(id), user };
      await store.putConnection(record);
      const read = await store.getConnection(id);
      expect(JSON.stringify(read?.user)).toBe(JSON.stringify(record.user));
      await store.putConnection(connection(id));
      expect((await store.getConnection(id))?.user).toBeUndefined();
    });

    it('hides a connection once its TTL has passed, even if the record still exists', async () => {
      const id = uid('c');
      await store.putConnection(connection(id, 60));
      fx.advance(61_000);
      expect(await store.getConnection(id)).toBeUndefined();
    });

    it('subscribes, reports duplicates, lists topics and subscribers', async () => {
      const id = uid('c');
      const topic = uid('t');
      await store.putConnection(connection(id));
      expect(await store.subscribe(id, topic, sub())).toBe('subscribed');
      expect(await store.subscribe(id, topic, sub())).toBe('already_subscribed');
      expect(await store.topicsOf(id)).toEqual([topic]);
      expect((await collect(topic)).ids).toEqual([id]);
    });

    it('refuses a subscription for a connection that does not exist or has expired', async () => {
      const ghost = uid('ghost');
      const topic = uid('t');
      expect(await store.subscribe(ghost, topic, sub())).toBe('no_connection');
      const expired = uid('c');
      await store.putConnection(connection(expired, 10));
      fx.advance(11_000);
      expect(await store.subscribe(expired, topic, sub())).toBe('no_connection');
      expect((await collect(topic)).ids).toEqual([]);
      expect(await store.topicsOf(ghost)).toEqual([]);
    });

    it('enforces the per-connection subscription limit, counting only live subscriptions', async () => {
      const id = uid('c');
      await store.putConnection(connection(id));
      const topics = [uid('a'), uid('b'), uid('c')];
      expect(await store.subscribe(id, topics[0]!, sub(HOUR, 2))).toBe('subscribed');
      expect(await store.subscribe(id, topics[1]!, sub(30, 2))).toBe('subscribed');
      expect(await store.subscribe(id, topics[2]!, sub(HOUR, 2))).toBe('limit_reached');
      // Re-subscribing to a held topic is not a new subscription.
      expect(await store.subscribe(id, topics[0]!, sub(HOUR, 2))).toBe('already_subscribed');
      fx.advance(31_000);
      expect(await store.subscribe(id, topics[2]!, sub(HOUR, 2))).toBe('subscribed');
      expect((await store.topicsOf(id)).sort()).toEqual([topics[0], topics[2]].sort());
    });

    it('handles topics named after Object.prototype members like any other topic', async () => {
      const id = uid('c');
      await store.putConnection(connection(id));
      const names = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'];
      for (const topic of names) expect(await store.subscribe(id, topic, sub())).toBe('subscribed');
      expect(await store.subscribe(id, '__proto__', sub())).toBe('already_subscribed');
      expect((await store.topicsOf(id)).sort()).toEqual([...names].sort());
      for (const topic of names) expect((await collect(topic)).ids).toContain(id);
      expect(await store.unsubscribe(id, 'constructor')).toBe(true);
      await store.removeConnection(id);
      for (const topic of names) expect((await collect(topic)).ids).not.toContain(id);
    });

    it('unsubscribes and says whether anything was removed', async () => {
      const id = uid('c');
      const topic = uid('t');
      await store.putConnection(connection(id));
      await store.subscribe(id, topic, sub());
      expect(await store.unsubscribe(id, topic)).toBe(true);
      expect(await store.unsubscribe(id, topic)).toBe(false);
      expect((await collect(topic)).ids).toEqual([]);
      expect(await store.topicsOf(id)).toEqual([]);
    });

    it('filters expired subscriptions at read time', async () => {
      const live = uid('live');
      const stale = uid('stale');
      const topic = uid('t');
      await store.putConnection(connection(live));
      await store.putConnection(connection(stale));
      await store.subscribe(live, topic, sub(HOUR));
      await store.subscribe(stale, topic, sub(30));
      fx.advance(31_000);
      expect((await collect(topic)).ids).toEqual([live]);
      expect(await store.topicsOf(stale)).toEqual([]);
    });

    it('returns every subscriber of a large topic across pages, each once', async () => {
      const topic = uid('big');
      const ids = Array.from({ length: 40 }, (_, i) => uid(`s${i}`));
      await Promise.all(ids.map((id) => store.putConnection(connection(id))));
      await Promise.all(ids.map((id) => store.subscribe(id, topic, sub())));
      const { ids: seen, pages } = await collect(topic);
      expect(seen.sort()).toEqual([...ids].sort());
      expect(pages.length).toBeGreaterThan(1);
      expect(Math.max(...pages)).toBeLessThanOrEqual(7);
    });

    it('removes a connection with all its subscriptions, idempotently', async () => {
      const id = uid('c');
      const other = uid('other');
      const topics = [uid('a'), uid('b'), uid('c')];
      await store.putConnection(connection(id));
      await store.putConnection(connection(other));
      for (const topic of topics) await store.subscribe(id, topic, sub());
      await store.subscribe(other, topics[0]!, sub());
      await store.removeConnection(id);
      await store.removeConnection(id);
      expect(await store.getConnection(id)).toBeUndefined();
      expect(await store.topicsOf(id)).toEqual([]);
      for (const topic of topics) expect((await collect(topic)).ids).not.toContain(id);
      expect((await collect(topics[0]!)).ids).toEqual([other]);
    });

    it('keeps the subscriptions when a connection record is stored again', async () => {
      const id = uid('c');
      const topic = uid('t');
      await store.putConnection(connection(id));
      await store.subscribe(id, topic, sub());
      const again = { ...connection(id, 2 * HOUR), userAgent: 'again' };
      await store.putConnection(again);
      expect(await store.getConnection(id)).toEqual(again);
      expect(await store.topicsOf(id)).toEqual([topic]);
      expect((await collect(topic)).ids).toEqual([id]);
      // And removing it still removes those subscriptions.
      await store.removeConnection(id);
      expect((await collect(topic)).ids).toEqual([]);
    });

    it('treats a subscription that expired as new when it is renewed', async () => {
      const id = uid('c');
      const topic = uid('t');
      await store.putConnection(connection(id));
      expect(await store.subscribe(id, topic, sub(30))).toBe('subscribed');
      fx.advance(31_000);
      expect((await collect(topic)).ids).toEqual([]);
      expect(await store.subscribe(id, topic, sub())).toBe('subscribed');
      expect(await store.topicsOf(id)).toEqual([topic]);
      expect((await collect(topic)).ids).toEqual([id]);
    });

    it('leaves no orphan when a subscribe races a disconnect', async () => {
      const rounds = 20;
      for (let round = 0; round < rounds; round++) {
        const id = uid(`race${round}`);
        const topic = uid('t');
        await store.putConnection(connection(id));
        const outcomes = await Promise.all([
          store.subscribe(id, topic, sub()),
          store.removeConnection(id),
          store.subscribe(id, uid('t2'), sub()),
        ]);
        expect(['subscribed', 'no_connection']).toContain(outcomes[0]);
        expect(await store.topicsOf(id)).toEqual([]);
        expect((await collect(topic)).ids).toEqual([]);
      }
    });

    describeWildcardAndPresenceContract(() => ({ store, fx }));

    describe('history', () => {
      const retention: Retention = { maxMessages: 1000, maxAgeSeconds: 300 };
      const readAll = async (topic: string, after: number, keep: Retention = retention, limit = 7) => {
        const offsets: number[] = [];
        const data: unknown[] = [];
        let cursor = after;
        for (;;) {
          const page = await store.history.read(topic, cursor, { retention: keep, limit });
          for (const message of page.messages) {
            offsets.push(message.offset);
            data.push(message.data);
            cursor = message.offset;
          }
          if (page.messages.length < limit) return { offsets, data, page };
        }
      };

      it('gives a new topic an epoch and offset 0, and keeps them stable', async () => {
        const topic = uid('h');
        const first = await store.history.position(topic);
        expect(first).toEqual({ epoch: expect.any(String), offset: 0 });
        expect(first.epoch.length).toBeGreaterThan(0);
        expect(await store.history.position(topic)).toEqual(first);
        expect((await store.history.position(uid('other'))).epoch).not.toBe(first.epoch);
      });

      it('assigns offsets one by one in one epoch, and reads them back in order, page by page', async () => {
        const topic = uid('h');
        const { epoch } = await store.history.position(topic);
        for (let n = 1; n <= 20; n++) {
          expect(await store.history.append(topic, { n }, { retention })).toEqual({
            epoch,
            offset: n,
            duplicate: false,
          });
        }
        expect(await store.history.position(topic)).toEqual({ epoch, offset: 20 });
        const { offsets, data, page } = await readAll(topic, 12);
        expect(offsets).toEqual([13, 14, 15, 16, 17, 18, 19, 20]);
        expect(data).toEqual(offsets.map((n) => ({ n })));
        expect(page).toMatchObject({ epoch, top: 20 });
        // Everything after 12 is held: a replay after 12 is complete.
        expect((await store.history.read(topic, 12, { retention, limit: 3 })).oldest).toBeLessThanOrEqual(13);
        expect((await store.history.read(topic, 20, { retention, limit: 5 })).messages).toEqual([]);
      });

      it('keeps at most maxMessages: older offsets are gone and `oldest` says so', async () => {
        const topic = uid('h');
        const small: Retention = { maxMessages: 5, maxAgeSeconds: 300 };
        for (let n = 1; n <= 12; n++) await store.history.append(topic, n, { retention: small });
        const { offsets, page } = await readAll(topic, 0, small);
        expect(offsets).toEqual([8, 9, 10, 11, 12]);
        expect(page.oldest).toBe(8);
        expect(page.top).toBe(12);
      });

      it('drops messages past maxAgeSeconds, but the topic meta (epoch, top) outlives them', async () => {
        const topic = uid('h');
        const short: Retention = { maxMessages: 100, maxAgeSeconds: 60 };
        const { epoch } = await store.history.position(topic);
        for (let n = 1; n <= 3; n++) await store.history.append(topic, n, { retention: short });
        fx.advance(30_000);
        await store.history.append(topic, 4, { retention: short });
        fx.advance(31_000);
        const { offsets, page } = await readAll(topic, 0, short);
        expect(offsets).toEqual([4]);
        expect(page.oldest).toBe(4);
        fx.advance(60_000);
        const empty = await readAll(topic, 0, short);
        expect(empty.offsets).toEqual([]);
        expect(empty.page).toMatchObject({ epoch, top: 4, oldest: 5 });
        expect(await store.history.position(topic)).toEqual({ epoch, offset: 4 });
        expect(await store.history.append(topic, 5, { retention: short })).toEqual({
          epoch,
          offset: 5,
          duplicate: false,
        });
      });

      it('stores a publish retried with the same idempotency key once, until the key ages out', async () => {
        const topic = uid('h');
        const short: Retention = { maxMessages: 100, maxAgeSeconds: 60 };
        const first = await store.history.append(topic, 'a', { retention: short, idempotencyKey: 'k1' });
        expect(first).toMatchObject({ offset: 1, duplicate: false });
        expect(await store.history.append(topic, 'a', { retention: short, idempotencyKey: 'k1' })).toEqual({
          ...first,
          duplicate: true,
        });
        expect(
          await store.history.append(topic, 'b', { retention: short, idempotencyKey: 'k2' }),
        ).toMatchObject({
          offset: 2,
          duplicate: false,
        });
        // The same key on another topic is another message.
        expect(
          await store.history.append(uid('h'), 'a', { retention: short, idempotencyKey: 'k1' }),
        ).toMatchObject({
          offset: 1,
          duplicate: false,
        });
        expect((await readAll(topic, 0, short)).data).toEqual(['a', 'b']);
        fx.advance(61_000);
        expect(
          await store.history.append(topic, 'a', { retention: short, idempotencyKey: 'k1' }),
        ).toMatchObject({
          offset: 3,
          duplicate: false,
        });
      });

      it('gives concurrent appends distinct consecutive offsets, and a key raced by many is stored once', async () => {
        const topic = uid('h');
        const results = await Promise.all(
          Array.from({ length: 40 }, (_, n) => store.history.append(topic, n, { retention })),
        );
        expect(results.map((r) => r.offset).sort((a, b) => a - b)).toEqual(
          Array.from({ length: 40 }, (_, n) => n + 1),
        );
        const raced = await Promise.all(
          Array.from({ length: 8 }, () =>
            store.history.append(topic, 'once', { retention, idempotencyKey: 'same' }),
          ),
        );
        expect(raced.filter((r) => !r.duplicate)).toHaveLength(1);
        expect(new Set(raced.map((r) => r.offset))).toEqual(new Set([41]));
        const { offsets, data } = await readAll(topic, 40);
        expect(offsets).toEqual([41]);
        expect(data).toEqual(['once']);
      });
    });
  });
}
