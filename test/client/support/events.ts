import type { ClientEvents, Message, TopicsocketClient } from '../../../src/client/index.ts';

/** The next `event` whose payload satisfies `accept`; rejects after `timeoutMs`. */
export function nextEvent<K extends keyof ClientEvents>(
  client: TopicsocketClient,
  event: K,
  accept: (payload: ClientEvents[K]) => boolean = () => true,
  timeoutMs = 5_000,
): Promise<ClientEvents[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no matching "${String(event)}" event within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = client.on(event, (payload) => {
      if (!accept(payload)) return;
      clearTimeout(timer);
      off();
      resolve(payload);
    });
  });
}

/** Resolves when every topic has been acknowledged again after a reconnect. */
export function resubscribed(client: TopicsocketClient, topics: string[], timeoutMs = 5_000): Promise<void> {
  const waiting = new Set(topics);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`not resubscribed within ${timeoutMs} ms: ${[...waiting].join(', ')}`));
    }, timeoutMs);
    const off = client.on('subscribed', ({ topic, resubscribed }) => {
      if (resubscribed) waiting.delete(topic);
      if (waiting.size > 0) return;
      clearTimeout(timer);
      off();
      resolve();
    });
  });
}

/** Collects a subscription's messages and lets a test await the next one. */
export class Inbox<T> {
  readonly received: Message<T>[] = [];
  private waiters: Array<{ count: number; resolve: () => void }> = [];

  readonly listener = (message: Message<T>): void => {
    this.received.push(message);
    this.waiters = this.waiters.filter((waiter) => {
      if (this.received.length < waiter.count) return true;
      waiter.resolve();
      return false;
    });
  };

  /** Resolves once `count` messages in total have arrived. */
  async waitFor(count: number, timeoutMs = 5_000): Promise<Message<T>[]> {
    if (this.received.length < count) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`got ${this.received.length} of ${count} messages within ${timeoutMs} ms`)),
          timeoutMs,
        );
        this.waiters.push({
          count,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    }
    return this.received;
  }

  data(): T[] {
    return this.received.map((message) => message.data);
  }
}

/** Polls a condition the test cannot subscribe to (server-side counters); rejects after `timeoutMs`. */
export async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A small deterministic PRNG (mulberry32) for jitter tests. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
