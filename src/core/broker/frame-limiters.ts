import type { BrokerLimits } from '../config.ts';
import { RateLimiter } from '../limits/index.ts';

/** The per-connection token buckets of the frames that cost the server work (`publish`, `history`). */
export class FrameLimiters {
  /** Absent: that limit is off. */
  readonly publish: RateLimiter | undefined;
  readonly history: RateLimiter | undefined;

  constructor(limits: BrokerLimits, now: () => number) {
    this.publish = limits.publishRate ? new RateLimiter(limits.publishRate, { now }) : undefined;
    this.history = limits.historyRate ? new RateLimiter(limits.historyRate, { now }) : undefined;
  }

  /** Drops a connection's buckets at `$disconnect`. */
  forget(connectionId: string): void {
    this.publish?.forget(connectionId);
    this.history?.forget(connectionId);
  }
}
