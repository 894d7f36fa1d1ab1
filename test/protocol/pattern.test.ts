import { describe, expect, it } from 'vitest';
import {
  MAX_PATTERN_DEPTH,
  patternsMatching,
  subscriptionMatches,
  subscriptionProblem,
} from '../../src/protocol/index.ts';

describe('subscription patterns', () => {
  it('accepts `*` and whole-segment prefixes, refuses partial segments, inner wildcards and `..`', () => {
    for (const ok of ['*', 'orders/*', 'a/b/c/*', 'orders', 'orders/7'])
      expect(subscriptionProblem(ok)).toBeUndefined();
    for (const bad of ['ord*', 'orders*', '*/x', 'a/*/b', 'a/../*', '/*x', 'a b/*']) {
      expect(subscriptionProblem(bad), bad).toBeDefined();
    }
    const deepest = `${Array.from({ length: MAX_PATTERN_DEPTH }, (_, i) => `s${i}`).join('/')}/*`;
    expect(subscriptionProblem(deepest)).toBeUndefined();
    expect(subscriptionProblem(`x/${deepest}`)).toMatch(/at most 16 segments/);
  });

  it('matches one or more segments below the prefix, as permissions do', () => {
    expect(subscriptionMatches('orders/*', 'orders/7')).toBe(true);
    expect(subscriptionMatches('orders/*', 'orders/eu/7')).toBe(true);
    expect(subscriptionMatches('orders/*', 'orders')).toBe(false);
    expect(subscriptionMatches('orders/*', 'ordersX/7')).toBe(false);
    expect(subscriptionMatches('*', 'anything/at/all')).toBe(true);
    expect(subscriptionMatches('orders/7', 'orders/7')).toBe(true);
    expect(subscriptionMatches('orders/7', 'orders/70')).toBe(false);
  });

  it('lists exactly the patterns a publish must reach, bounded by the pattern depth', () => {
    expect(patternsMatching('a/b/c')).toEqual(['*', 'a/*', 'a/b/*']);
    expect(patternsMatching('solo')).toEqual(['*']);
    expect(patternsMatching('a//b')).toEqual(['*', 'a/*', 'a//*']);
    const deep = Array.from({ length: 40 }, (_, i) => `s${i}`).join('/');
    const patterns = patternsMatching(deep);
    expect(patterns).toHaveLength(MAX_PATTERN_DEPTH + 1);
    for (const pattern of patterns) expect(subscriptionMatches(pattern, deep)).toBe(true);
  });
});
