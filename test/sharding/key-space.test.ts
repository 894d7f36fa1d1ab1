import { describe, expect, it } from 'vitest';
import { estimateTotal, keyAt, keyPosition, splitKeySpace } from '../../src/core/index.ts';
import { awsStyleId } from '../../src/runtimes/local/index.ts';

describe('key space of connection ids', () => {
  it('maps keys to positions monotonically, and keyAt back', () => {
    const keys = ['', '+', '+A', '/', '0', '9', '=', 'A', 'Az', 'Z', '_', 'a', 'z', 'zz', '~'];
    const positions = keys.map(keyPosition);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    for (const fraction of [0.01, 0.25, 0.5, 0.9])
      expect(keyPosition(keyAt(fraction))).toBeCloseTo(fraction, 6);
  });

  it('splits into contiguous ranges that cover every key exactly once', () => {
    const ranges = splitKeySpace(7);
    expect(ranges).toHaveLength(7);
    expect(ranges[0]?.after).toBeUndefined();
    expect(ranges.at(-1)?.until).toBeUndefined();
    for (let i = 1; i < ranges.length; i++) expect(ranges[i]?.after).toBe(ranges[i - 1]?.until);
    const ids = Array.from({ length: 2000 }, awsStyleId);
    for (const id of [...ids, '', '~~~', 'conn-1']) {
      const holding = ranges.filter(
        (range) =>
          (range.after === undefined || id > range.after) && (range.until === undefined || id <= range.until),
      );
      expect(holding).toHaveLength(1);
    }
  });

  it('estimates a topic of AWS-style ids from its first page, and splits it evenly', () => {
    const ids = Array.from({ length: 100_000 }, awsStyleId).sort();
    const estimate = estimateTotal(1001, ids[1000] as string);
    expect(estimate).toBeGreaterThan(75_000);
    expect(estimate).toBeLessThan(130_000);
    const ranges = splitKeySpace(100);
    const sizes = ranges.map(
      (range) =>
        ids.filter(
          (id) =>
            (range.after === undefined || id > range.after) &&
            (range.until === undefined || id <= range.until),
        ).length,
    );
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(100_000);
    expect(Math.min(...sizes)).toBeGreaterThan(600);
    expect(Math.max(...sizes)).toBeLessThan(1500);
  });
});
