/** The gateway's throttle control in isolation, on a fake clock: AIMD pacing and whose 429 it is. */
import { describe, expect, it } from 'vitest';
import { AdaptiveRate } from '../../../src/runtimes/aws/adaptive-rate.ts';
import { ThrottleEvidence } from '../../../src/runtimes/aws/throttle-evidence.ts';

const clock = () => {
  let now = 1_000_000;
  return { now: () => now, advance: (ms: number) => (now += ms) };
};

describe('AdaptiveRate', () => {
  it('is unpaced until the account throttles, then cuts to 0.7x what it achieved and grows back additively', () => {
    const time = clock();
    const rate = new AdaptiveRate({ now: time.now });
    expect(rate.reserve()).toBe(0);
    for (let i = 0; i < 1000; i++) {
      rate.accepted();
      if (i % 2 === 1) time.advance(1);
    }
    // 1,000 accepted in the last 500 ms: 2,000/s achieved.
    expect(rate.throttled()).toBe(true);
    expect(rate.perSecond).toBeCloseTo(1400, 0);
    // One congestion signal per cooldown: the other 429s of the same burst do not cut again.
    expect(rate.throttled()).toBe(false);
    expect(rate.decreases).toBe(1);
    time.advance(1000);
    // +a quarter of the cut rate per second.
    rate.reserve();
    expect(rate.perSecond).toBeCloseTo(1750, 0);
  });

  it('paces posts once cut: a token every 1/rate seconds', () => {
    const time = clock();
    const rate = new AdaptiveRate({ now: time.now, increasePerSecond: 0, minPerSecond: 100 });
    rate.accepted();
    rate.throttled();
    expect(rate.perSecond).toBe(100);
    expect(rate.reserve()).toBe(10);
    time.advance(10);
    expect(rate.reserve()).toBe(0);
    expect(rate.reserve()).toBeGreaterThan(0);
  });
});

describe('ThrottleEvidence', () => {
  it('blames the account when other receivers are refused too', () => {
    const evidence = new ThrottleEvidence({ now: clock().now });
    for (let i = 0; i < 20; i++) evidence.accepted();
    expect(evidence.refused(1)).toBe('unknown');
    expect(evidence.refused(1)).toBe('account');
  });

  it('blames the receiver refused again while the others were all accepted', () => {
    const evidence = new ThrottleEvidence({ now: clock().now });
    evidence.accepted();
    expect(evidence.refused(1)).toBe('unknown');
    for (let i = 0; i < 20; i++) evidence.accepted();
    expect(evidence.refused(2)).toBe('receiver');
    expect(evidence.refused(3)).toBe('receiver');
  });

  it('blames nobody without evidence about other receivers (a send to one receiver)', () => {
    const evidence = new ThrottleEvidence({ now: clock().now });
    expect(evidence.refused(1)).toBe('unknown');
    expect(evidence.refused(2)).toBe('unknown');
    expect(evidence.refused(3)).toBe('unknown');
  });

  it('forgets refusals older than a second', () => {
    const time = clock();
    const evidence = new ThrottleEvidence({ now: time.now });
    for (let i = 0; i < 20; i++) evidence.refused(1);
    time.advance(1_500);
    for (let i = 0; i < 20; i++) evidence.accepted();
    expect(evidence.refused(2)).toBe('receiver');
  });
});
