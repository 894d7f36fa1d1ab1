import { type RateLimit, TokenBucket } from './token-bucket.ts';

/**
 * One token bucket per key (connection id, API key), held in memory: per process locally, per container
 * on Lambda (API Gateway's stage throttling is the account-wide bound there). Memory is bounded: full
 * buckets are forgotten, and past `maxKeys` the oldest entries are dropped.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly maxKeys: number;

  constructor(
    private readonly limit: RateLimit,
    options: { maxKeys?: number; now?: () => number } = {},
  ) {
    this.maxKeys = options.maxKeys ?? 100_000;
    this.now = options.now ?? Date.now;
  }

  private readonly now: () => number;

  /** Takes one token for `key`; false means the caller is over its rate. */
  allow(key: string, cost = 1): boolean {
    const now = this.now();
    let bucket = this.buckets.get(key);
    if (!bucket) {
      if (this.buckets.size >= this.maxKeys) this.evict(now);
      bucket = new TokenBucket(this.limit, now);
      this.buckets.set(key, bucket);
    }
    return bucket.take(now, cost);
  }

  forget(key: string): void {
    this.buckets.delete(key);
  }

  get size(): number {
    return this.buckets.size;
  }

  private evict(now: number): void {
    for (const [key, bucket] of this.buckets) {
      if (bucket.isFull(now)) this.buckets.delete(key);
    }
    // Still full: drop the oldest insertions (Map keeps insertion order). Those keys start afresh.
    for (const key of this.buckets.keys()) {
      if (this.buckets.size < this.maxKeys) break;
      this.buckets.delete(key);
    }
  }
}
