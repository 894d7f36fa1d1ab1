/**
 * The Store contract for wildcard subscriptions and presence, part of store-contract.ts (so it runs against
 * the memory store and DynamoDB Local alike). Page size is 7 there, so every listing here spans pages.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ConnectionRecord, SubscriberRange } from '../../src/core/index.ts';
import type { JsonValue } from '../../src/protocol/index.ts';
import type { ContractStore, StoreFixture } from './store-contract.ts';

const HOUR = 3600;

export function describeWildcardAndPresenceContract(
  current: () => { store: ContractStore; fx: StoreFixture },
): void {
  const store = () => current().store;
  const nowSeconds = () => Math.floor(current().fx.now() / 1000);
  // A fresh namespace per test, so patterns as wide as `<ns>/*` see only this test's subscriptions.
  const ns = () => `ns-${randomUUID().slice(0, 12)}`;
  const uid = (label: string) => `${label}-${randomUUID()}=`;
  const connect = async (id: string, extra: Partial<ConnectionRecord> & { user?: JsonValue } = {}) => {
    await store().putConnection({
      connectionId: id,
      connectedAt: current().fx.now(),
      expiresAt: nowSeconds() + HOUR,
      ...extra,
    });
    return id;
  };
  const sub = (ttlSeconds = HOUR, presence?: string[]) => ({
    expiresAt: nowSeconds() + ttlSeconds,
    maxSubscriptions: 100,
    ...(presence ? { presence: { claims: presence } } : {}),
  });
  /** Every receiver of a publish to `topic`, with the page sizes. */
  const receivers = async (topic: string) => {
    const ids: string[] = [];
    const pages: number[] = [];
    for await (const page of store().subscribers(topic)) {
      pages.push(page.length);
      ids.push(...page);
    }
    return { ids, pages };
  };
  /** Every receiver within a range, read page by page as a shard worker reads it. */
  const rangeReceivers = async (topic: string, range: SubscriberRange, limit: number) => {
    const ids: string[] = [];
    let after = range.after;
    for (;;) {
      const page = await store().subscriberPage(
        topic,
        {
          ...(after === undefined ? {} : { after }),
          ...(range.until === undefined ? {} : { until: range.until }),
        },
        limit,
      );
      ids.push(...page.connectionIds);
      if (page.next === undefined) return ids;
      after = page.next;
    }
  };

  describe('wildcard subscriptions', () => {
    it('reaches a pattern subscriber from every topic under its prefix, at any depth, and no other', async () => {
      const root = ns();
      const orders = await connect(uid('orders'));
      const deep = await connect(uid('deep'));
      expect(await store().subscribe(orders, `${root}/orders/*`, sub())).toBe('subscribed');
      expect(await store().subscribe(orders, `${root}/orders/*`, sub())).toBe('already_subscribed');
      expect(await store().subscribe(deep, `${root}/orders/eu/*`, sub())).toBe('subscribed');
      expect((await receivers(`${root}/orders/7`)).ids).toEqual([orders]);
      expect((await receivers(`${root}/orders/eu/7/status`)).ids.sort()).toEqual([orders, deep].sort());
      // One or more segments below the prefix: not the prefix's own topic, not a sibling that shares letters.
      expect((await receivers(`${root}/orders`)).ids).toEqual([]);
      expect((await receivers(`${root}/ordersX/7`)).ids).toEqual([]);
      expect((await receivers(`${root}/orders/eu`)).ids).toEqual([orders]);
      expect((await store().topicsOf(orders)).sort()).toEqual([`${root}/orders/*`]);
    });

    it('gives each connection once across pages when its topic and patterns all match', async () => {
      const root = ns();
      const topic = `${root}/a/b`;
      const exact = await Promise.all(Array.from({ length: 9 }, (_, i) => connect(uid(`e${i}`))));
      const pattern = await Promise.all(Array.from({ length: 9 }, (_, i) => connect(uid(`p${i}`))));
      const both = await Promise.all(Array.from({ length: 9 }, (_, i) => connect(uid(`b${i}`))));
      for (const id of exact) await store().subscribe(id, topic, sub());
      for (const id of pattern) await store().subscribe(id, `${root}/*`, sub());
      for (const id of both) {
        await store().subscribe(id, topic, sub());
        await store().subscribe(id, `${root}/*`, sub());
        await store().subscribe(id, `${root}/a/*`, sub());
      }
      const { ids, pages } = await receivers(topic);
      expect(ids.length).toBe(27);
      expect(new Set(ids).size).toBe(27);
      expect(ids.sort()).toEqual([...exact, ...pattern, ...both].sort());
      expect(pages.length).toBeGreaterThan(1);
      expect(Math.max(...pages)).toBeLessThanOrEqual(7);
      // Key ranges (shards) cut every partition alike: two halves give each receiver once.
      const sorted = [...ids].sort();
      const middle = sorted[13] as string;
      const low = await rangeReceivers(topic, { until: middle }, 5);
      const high = await rangeReceivers(topic, { after: middle }, 5);
      expect([...low, ...high]).toEqual(sorted);
    });

    it('ends pattern subscriptions by unsubscribe, disconnect and TTL', async () => {
      const root = ns();
      const a = await connect(uid('a'));
      const b = await connect(uid('b'));
      const c = await connect(uid('c'));
      await store().subscribe(a, `${root}/*`, sub());
      await store().subscribe(b, `${root}/*`, sub());
      await store().subscribe(c, `${root}/*`, sub(30));
      expect((await receivers(`${root}/x`)).ids.sort()).toEqual([a, b, c].sort());
      expect(await store().unsubscribe(a, `${root}/*`)).toBe(true);
      await store().removeConnection(b);
      current().fx.advance(31_000);
      expect((await receivers(`${root}/x`)).ids).toEqual([]);
      expect(await store().topicsOf(c)).toEqual([]);
    });

    it('reaches the subscribers of `*` from any topic, together with the topic own', async () => {
      const everything = await connect(uid('all'));
      const plain = await connect(uid('plain'));
      const topic = `${ns()}/x`;
      await store().subscribe(everything, '*', sub());
      await store().subscribe(plain, topic, sub());
      try {
        const { ids } = await receivers(topic);
        // Other tests sharing the database may hold `*` too; these two must be there, each once.
        expect(ids.filter((id) => id === everything || id === plain).sort()).toEqual(
          [everything, plain].sort(),
        );
        expect(new Set(ids).size).toBe(ids.length);
      } finally {
        await store().removeConnection(everything);
      }
    });
  });

  describe('presence', () => {
    const members = async (topic: string, limit: number) => {
      const all: Array<{ connectionId: string; user?: JsonValue; claims?: { [key: string]: JsonValue } }> =
        [];
      const pages: number[] = [];
      let after: string | undefined;
      do {
        const page = await store().presence.members(topic, {
          limit,
          ...(after === undefined ? {} : { after }),
        });
        pages.push(page.members.length);
        all.push(...page.members);
        after = page.next;
      } while (after !== undefined);
      return { all, pages };
    };

    it('lists the members with the claims presence shows, in capped pages, and counts them', async () => {
      const topic = `${ns()}/room`;
      const ids: string[] = [];
      for (let i = 0; i < 8; i++) {
        const id = await connect(uid(`m${i}`), { claims: { sub: `user-${i}`, secret: 'never shown' } });
        await store().subscribe(id, topic, sub(HOUR, ['sub', 'name']));
        ids.push(id);
      }
      // A plain subscriber is a receiver, not a member.
      const listener = await connect(uid('listener'));
      await store().subscribe(listener, topic, sub());
      const { all, pages } = await members(topic, 3);
      expect(all.map((m) => m.connectionId)).toEqual([...ids].sort());
      expect(Math.max(...pages)).toBeLessThanOrEqual(3);
      expect(pages.length).toBeGreaterThanOrEqual(3);
      for (const member of all) {
        const i = ids.indexOf(member.connectionId);
        expect(member).toEqual({ connectionId: member.connectionId, claims: { sub: `user-${i}` } });
      }
      expect(await store().presence.memberCount(topic)).toBe(8);
      expect(await store().presence.memberCount(`${ns()}/empty`)).toBe(0);
      expect((await store().presence.members(`${ns()}/empty`, { limit: 5 })).members).toEqual([]);
    });

    it('shows the `user` data onConnect attached, exactly as it was stored', async () => {
      const topic = `${ns()}/room`;
      const user = { name: 'Ada', tags: ['a', 'b'], n: 1 };
      const id = await connect(uid('u'), { user });
      await store().subscribe(id, topic, sub(HOUR, []));
      expect((await store().getConnection(id))?.user).toEqual(user);
      const { all } = await members(topic, 10);
      expect(all).toEqual([{ connectionId: id, user }]);
    });

    it('ends membership by unsubscribe, by a renewal without presence, and by disconnect, which names its topics', async () => {
      const topicA = `${ns()}/a`;
      const topicB = `${ns()}/b`;
      const x = await connect(uid('x'));
      const y = await connect(uid('y'));
      const z = await connect(uid('z'));
      for (const id of [x, y, z]) await store().subscribe(id, topicA, sub(HOUR, []));
      await store().subscribe(z, topicB, sub(HOUR, []));
      await store().subscribe(z, `${ns()}/plain`, sub());
      expect(await store().unsubscribe(x, topicA)).toBe(true);
      expect(await store().subscribe(y, topicA, sub())).toBe('already_subscribed');
      expect((await members(topicA, 10)).all.map((m) => m.connectionId)).toEqual([z]);
      const memberOf = await store().removeConnection(z);
      expect([...(memberOf ?? [])].sort()).toEqual([topicA, topicB].sort());
      expect(await store().removeConnection(z)).toEqual([]);
      expect(await store().presence.memberCount(topicA)).toBe(0);
      expect(await store().presence.memberCount(topicB)).toBe(0);
      // y still receives on topicA, as a plain subscriber.
      expect((await receivers(topicA)).ids).toEqual([y]);
    });

    it('never lists or counts a member whose subscription or connection expired (a ghost)', async () => {
      const topic = `${ns()}/room`;
      const live = await connect(uid('live'));
      const ghost = await connect(uid('ghost'));
      await store().subscribe(live, topic, sub(HOUR, []));
      await store().subscribe(ghost, topic, sub(30, []));
      expect(await store().presence.memberCount(topic)).toBe(2);
      current().fx.advance(31_000);
      expect((await members(topic, 1)).all.map((m) => m.connectionId)).toEqual([live]);
      expect(await store().presence.memberCount(topic)).toBe(1);
    });

    it('counts presence events per topic and window', async () => {
      const topic = `${ns()}/room`;
      const window = nowSeconds();
      const until = window + 60;
      expect(await store().presence.countPresenceEvent(topic, window, until)).toBe(1);
      expect(await store().presence.countPresenceEvent(topic, window, until)).toBe(2);
      expect(await store().presence.countPresenceEvent(`${ns()}/other`, window, until)).toBe(1);
      expect(await store().presence.countPresenceEvent(topic, window + 1, until)).toBe(1);
      const counts = await Promise.all(
        Array.from({ length: 10 }, () => store().presence.countPresenceEvent(topic, window + 2, until)),
      );
      expect(counts.sort((a, b) => a - b)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
    });
  });
}
