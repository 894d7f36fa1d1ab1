/** MemoryStore's listings (the console's admin views): live records only, stable pages, no side effects. */
import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/stores/index.ts';

const RETENTION = { maxMessages: 10, maxAgeSeconds: 60 };

function storeAt(start: number) {
  let now = start;
  const store = new MemoryStore({ now: () => now });
  return { store, advance: (ms: number) => (now += ms) };
}

describe('MemoryStore inventory', () => {
  it('counts only live subscriptions and lists only live connections', async () => {
    const { store, advance } = storeAt(1_000_000);
    const nowSeconds = 1_000;
    await store.putConnection({ connectionId: 'short', connectedAt: 1_000_000, expiresAt: nowSeconds + 10 });
    await store.putConnection({ connectionId: 'long', connectedAt: 1_000_000, expiresAt: nowSeconds + 100 });
    await store.subscribe('short', 't', { expiresAt: nowSeconds + 10, maxSubscriptions: 5 });
    await store.subscribe('long', 't', { expiresAt: nowSeconds + 100, maxSubscriptions: 5 });
    expect((await store.listTopics({ limit: 10 })).items).toEqual([{ topic: 't', subscribers: 2 }]);

    advance(20_000);
    expect((await store.listTopics({ limit: 10 })).items).toEqual([{ topic: 't', subscribers: 1 }]);
    const connections = await store.listConnections({ limit: 10 });
    expect(connections.items.map((connection) => connection.connectionId)).toEqual(['long']);
    expect(connections.items[0]?.topics).toEqual(['t']);
  });

  it('shows history positions without creating streams', async () => {
    const { store } = storeAt(1_000_000);
    const first = await store.history.append('h', 1, { retention: RETENTION });
    await store.history.append('h', 2, { retention: RETENTION });
    const listed = await store.listTopics({ limit: 10 });
    expect(listed.items).toEqual([
      { topic: 'h', subscribers: 0, position: { epoch: first.epoch, offset: 2 } },
    ]);
    // Listing twice creates nothing new.
    expect((await store.listTopics({ limit: 10 })).items).toHaveLength(1);
  });

  it('pages in string order with the last name as the cursor', async () => {
    const { store } = storeAt(1_000_000);
    for (const topic of ['c', 'a', 'b', 'd']) await store.history.append(topic, 0, { retention: RETENTION });
    const first = await store.listTopics({ limit: 3 });
    expect(first.items.map((item) => item.topic)).toEqual(['a', 'b', 'c']);
    expect(first.next).toBe('c');
    const second = await store.listTopics({ limit: 3, after: first.next as string });
    expect(second.items.map((item) => item.topic)).toEqual(['d']);
    expect(second.next).toBeUndefined();
  });
});
