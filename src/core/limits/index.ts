/** Rate limiting: token buckets, one per connection or API key. */
export { RateLimiter } from './rate-limiter.ts';
export { type RateLimit, TokenBucket } from './token-bucket.ts';
