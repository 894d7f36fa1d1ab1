/** Retry timing shared by every bounded retry loop (DynamoDB batches, `@connections` posts). */
export interface BackoffOptions {
  /** Delay cap of the first retry, milliseconds. */
  baseDelayMs: number;
  /** No delay is ever longer than this, milliseconds. */
  maxDelayMs: number;
}

/**
 * "Full jitter" exponential backoff: a uniformly random delay in [0, min(max, base * 2^attempt)). Spreads
 * retries of many callers apart, which is what stops a throttled fleet from retrying in lockstep.
 * `attempt` counts retries from 0.
 */
export function fullJitterDelay(attempt: number, options: BackoffOptions, random = Math.random): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** attempt);
  return Math.floor(random() * ceiling);
}

export function sleep(ms: number): Promise<void> {
  return ms <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, ms));
}
