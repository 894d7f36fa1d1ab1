/** Token bucket settings: `burst` tokens at most, refilled at `perSecond`. */
export interface RateLimit {
  /** Sustained rate, in operations per second. */
  perSecond: number;
  /** Largest burst allowed after a quiet period. */
  burst: number;
}

/** A classic token bucket. Time is passed in, so it is exact under test and free of timers. */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly limit: RateLimit,
    now: number,
  ) {
    this.tokens = limit.burst;
    this.updatedAt = now;
  }

  /** Takes `cost` tokens if there are that many, and says whether it did. `now` is epoch ms. */
  take(now: number, cost = 1): boolean {
    this.refill(now);
    if (this.tokens < cost) return false;
    this.tokens -= cost;
    return true;
  }

  /** True when the bucket is back to full: its state carries no information and can be forgotten. */
  isFull(now: number): boolean {
    this.refill(now);
    return this.tokens >= this.limit.burst;
  }

  private refill(now: number): void {
    const elapsed = Math.max(0, now - this.updatedAt) / 1000;
    this.tokens = Math.min(this.limit.burst, this.tokens + elapsed * this.limit.perSecond);
    this.updatedAt = now;
  }
}
