import { describe, expect, it } from 'vitest';
import type { MetricName } from '../../src/core/index.ts';
import { ServerStats } from '../../src/runtimes/local/server-stats.ts';
import { MemoryStore } from '../../src/stores/index.ts';

describe('ServerStats', () => {
  it('averages publishes and deliveries over the last 5 seconds, then forgets them', () => {
    let now = 1_000_000;
    const stats = new ServerStats(undefined, () => now);
    for (let second = 0; second < 5; second++) {
      stats.count('publishes', 2);
      stats.count('deliveries', 20);
      now += 1000;
    }
    now -= 1000; // still inside the fifth second: all ten publishes count
    expect(stats.snapshot(0, undefined)).toMatchObject({ messagesPerSecond: 2, deliveriesPerSecond: 20 });
    now += 1000; // the first second has left the window
    expect(stats.snapshot(0, undefined).messagesPerSecond).toBe(1.6);
    now += 60_000;
    expect(stats.snapshot(0, undefined)).toMatchObject({
      messagesPerSecond: 0,
      deliveriesPerSecond: 0,
      totals: { publishes: 10, deliveries: 100 },
      uptimeSeconds: 65,
    });
  });

  it('passes every count on to the metrics it wraps', () => {
    const seen: Array<[MetricName, number | undefined]> = [];
    const stats = new ServerStats({ count: (name, value) => seen.push([name, value]) });
    stats.count('connects');
    stats.count('deliveries', 3);
    expect(seen).toEqual([
      ['connects', 1],
      ['deliveries', 3],
    ]);
    expect(stats.snapshot(0, undefined).totals).toMatchObject({ connects: 1, deliveries: 3 });
  });

  it('reports store sizes only for stores that count them cheaply', async () => {
    const stats = new ServerStats(undefined);
    const store = new MemoryStore();
    await store.putConnection({
      connectionId: 'a',
      connectedAt: Date.now(),
      expiresAt: Date.now() / 1000 + 60,
    });
    await store.subscribe('a', 'news', { expiresAt: Date.now() / 1000 + 60, maxSubscriptions: 10 });
    expect(stats.snapshot(1, store)).toMatchObject({ connections: 1, subscriptions: 1, topics: 1 });
    expect(stats.snapshot(1, { putConnection() {} })).toMatchObject({
      subscriptions: null,
      topics: null,
      presence: null,
    });
  });

  it('counts presence members per topic, fullest first', async () => {
    const stats = new ServerStats(undefined);
    const store = new MemoryStore();
    const expiresAt = Date.now() / 1000 + 60;
    for (const id of ['a', 'b', 'c']) {
      await store.putConnection({ connectionId: id, connectedAt: Date.now(), expiresAt });
      await store.subscribe(id, 'room/big', { expiresAt, maxSubscriptions: 10, presence: { claims: [] } });
    }
    await store.subscribe('a', 'room/small', { expiresAt, maxSubscriptions: 10, presence: { claims: [] } });
    // A plain subscription is no membership.
    await store.subscribe('b', 'room/plain', { expiresAt, maxSubscriptions: 10 });
    expect(stats.snapshot(3, store).presence).toEqual({
      members: 4,
      topics: [
        { topic: 'room/big', members: 3 },
        { topic: 'room/small', members: 1 },
      ],
    });
  });
});
