import { describe, expect, it } from 'vitest';
import { OPEN_POLICY, policyAllows, resolvePolicy } from '../../../src/core/auth/index.ts';

describe('permissions for wildcard subscriptions and presence', () => {
  const policy = resolvePolicy({ subscribe: ['orders/*', 'chat/lobby', 'ord*'], publish: [] });

  it('allows a pattern only when one permission pattern covers all of it', () => {
    expect(policyAllows(policy, 'subscribe', 'orders/*')).toBe(true);
    expect(policyAllows(policy, 'subscribe', 'orders/eu/*')).toBe(true);
    // `ord*` covers every topic starting with "ord", so also this pattern.
    expect(policyAllows(policy, 'subscribe', 'ordinal/*')).toBe(true);
    const narrow = resolvePolicy({ subscribe: ['orders/7', 'orders/eu/*'], publish: [] });
    expect(policyAllows(narrow, 'subscribe', 'orders/*')).toBe(false);
    expect(policyAllows(narrow, 'subscribe', 'orders/eu/*')).toBe(true);
    expect(policyAllows(narrow, 'subscribe', '*')).toBe(false);
    expect(policyAllows(policy, 'subscribe', 'chat/*')).toBe(false);
    expect(policyAllows(OPEN_POLICY, 'subscribe', '*')).toBe(true);
  });

  it('gives presence the subscribe permissions unless the token has a presence claim', () => {
    expect(policyAllows(policy, 'presence', 'chat/lobby')).toBe(true);
    expect(policyAllows(policy, 'presence', 'chat/other')).toBe(false);
    const explicit = resolvePolicy({ subscribe: ['room/*'], publish: [], presence: ['room/public/*'] });
    expect(policyAllows(explicit, 'presence', 'room/public/1')).toBe(true);
    expect(policyAllows(explicit, 'presence', 'room/private/1')).toBe(false);
    const none = resolvePolicy({ subscribe: ['room/*'], publish: [], presence: [] });
    expect(policyAllows(none, 'presence', 'room/1')).toBe(false);
    expect(policyAllows(OPEN_POLICY, 'presence', 'anything')).toBe(true);
  });
});
