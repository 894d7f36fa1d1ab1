/**
 * The memory store's history is bounded (issue 17): per topic and globally by bytes, evicting from the
 * topics published to least recently, and over time (expired messages of quiet topics are freed, idle
 * empty topics forgotten). Small sizes: the test asserts the bound, not gigabytes.
 */
import { describe, expect, it } from 'vitest';
import type { Retention } from '../../src/core/index.ts';
import { defaultMemoryHistoryLimits, MemoryStore } from '../../src/stores/index.ts';

const retention: Retention = { maxMessages: 1000, maxAgeSeconds: 300 };
const kb = (n: number) => 'm'.repeat(n * 1024);

describe('memory history bounds', () => {
  it('documents its defaults in one place', () => {
    expect(defaultMemoryHistoryLimits).toEqual({
      maxTotalBytes: 64 * 1024 * 1024,
      maxTopicBytes: 16 * 1024 * 1024,
      idleTopicSeconds: 2 * 3600 + 600,
    });
  });

  it('holds at most maxTotalBytes over all topics, evicting the quietest topics oldest first', async () => {
    const store = new MemoryStore({ history: { maxTotalBytes: 1024 * 1024, maxTopicBytes: 512 * 1024 } });
    // Ten publishers within any rate limit, each on its own topic: 10 x 50 x 10 KB = 5 MB offered.
    for (let round = 0; round < 50; round++) {
      for (let topic = 0; topic < 10; topic++) await store.history.append(`t${topic}`, kb(10), { retention });
      expect(store.history.size().bytes).toBeLessThanOrEqual(1024 * 1024);
    }
    const size = store.history.size();
    expect(size.bytes).toBeGreaterThan(900 * 1024);
    // The most recently published topic keeps its newest messages; offsets keep counting.
    const newest = await store.history.read('t9', 0, { retention, limit: 1000 });
    expect(newest.top).toBe(50);
    expect(newest.messages.at(-1)?.offset).toBe(50);
    // A reader of an evicted stretch learns it: the oldest held offset is past what it asks for.
    const quiet = await store.history.read('t0', 0, { retention, limit: 1000 });
    expect(quiet.oldest).toBeGreaterThan(1);
  });

  it('holds at most maxTopicBytes for one topic', async () => {
    const store = new MemoryStore({ history: { maxTopicBytes: 100 * 1024 } });
    for (let n = 0; n < 50; n++) await store.history.append('one', kb(10), { retention });
    expect(store.history.size().bytes).toBeLessThanOrEqual(100 * 1024);
    expect((await store.history.read('one', 0, { retention, limit: 1000 })).messages).toHaveLength(9);
  });

  it('frees expired messages of topics nobody publishes to or reads again, and forgets idle empty ones', async () => {
    let clock = Date.now();
    const store = new MemoryStore({ now: () => clock });
    for (let topic = 0; topic < 20; topic++)
      await store.history.append(`quiet-${topic}`, kb(10), { retention });
    for (let topic = 0; topic < 20; topic++) await store.history.position(`never-published-${topic}`);
    expect(store.history.size()).toMatchObject({ topics: 40, messages: 20 });
    clock += (retention.maxAgeSeconds + 1) * 1000;
    // Traffic on another topic sweeps the quiet ones a few per call.
    for (let n = 0; n < 40; n++) await store.history.append('busy', 'small', { retention });
    expect(store.history.size()).toMatchObject({ messages: 40 });
    clock += defaultMemoryHistoryLimits.idleTopicSeconds * 1000;
    for (let n = 0; n < 40; n++) await store.history.position('busy');
    expect(store.history.size().topics).toBe(1);
  });

  it('creates no state for history reads of topics nobody published to', async () => {
    const store = new MemoryStore();
    for (let n = 0; n < 301; n++) {
      const page = await store.history.latest(`never-${n}`, { retention, limit: 100, maxBytes: 128 * 1024 });
      expect(page.messages).toEqual([]);
    }
    expect(store.history.size().topics).toBe(0);
  });
});
