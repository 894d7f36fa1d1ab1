/** Limits: token buckets (per connection or API key) and connection counts (per source IP). */
export { ConnectionCounter } from './connection-counter.ts';
export { RateLimiter } from './rate-limiter.ts';
export { type RateLimit, TokenBucket } from './token-bucket.ts';
