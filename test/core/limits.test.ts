import { describe, expect, it } from 'vitest';
import { RateLimiter, TokenBucket } from '../../src/core/limits/index.ts';

describe('TokenBucket', () => {
  it('allows a burst, then the sustained rate', () => {
    const bucket = new TokenBucket({ perSecond: 10, burst: 3 }, 0);
    expect([1, 2, 3, 4].map(() => bucket.take(0))).toEqual([true, true, true, false]);
    expect(bucket.take(50)).toBe(false);
    expect(bucket.take(100)).toBe(true);
    expect(bucket.isFull(10_000)).toBe(true);
  });
});

describe('RateLimiter', () => {
  it('keeps one bucket per key and bounds its memory', () => {
    let now = 0;
    const limiter = new RateLimiter({ perSecond: 1, burst: 1 }, { maxKeys: 3, now: () => now });
    expect(limiter.allow('a')).toBe(true);
    expect(limiter.allow('a')).toBe(false);
    expect(limiter.allow('b')).toBe(true);
    for (const key of ['c', 'd', 'e', 'f']) limiter.allow(key);
    expect(limiter.size).toBeLessThanOrEqual(3);
    now += 1000;
    expect(limiter.allow('b')).toBe(true);
    limiter.forget('b');
  });
});
