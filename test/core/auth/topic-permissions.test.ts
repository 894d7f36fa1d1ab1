import { describe, expect, it } from 'vitest';
import { patternMatches, patternProblem, policyAllows, resolvePolicy } from '../../../src/core/auth/index.ts';

describe('topic patterns', () => {
  it('matches exact names and trailing wildcards only', () => {
    expect(patternMatches('chat/*', 'chat/lobby')).toBe(true);
    expect(patternMatches('chat/*', 'chat/a/b')).toBe(true);
    expect(patternMatches('chat/*', 'chat')).toBe(false);
    expect(patternMatches('chat/*', 'chatter/x')).toBe(false);
    expect(patternMatches('chat/lobby', 'chat/lobby2')).toBe(false);
    expect(patternMatches('*', 'anything')).toBe(true);
  });

  it('rejects patterns with inner wildcards, dots or control characters', () => {
    expect(patternProblem('chat/*')).toBeUndefined();
    expect(patternProblem('*')).toBeUndefined();
    expect(patternProblem('*/admin')).toBeDefined();
    expect(patternProblem('chat/../*')).toBeDefined();
    expect(patternProblem('a\u0000b')).toBeDefined();
  });
});

describe('resolvePolicy', () => {
  it('takes patterns from array or space-separated claims, dropping invalid ones', () => {
    const policy = resolvePolicy({ subscribe: ['chat/*', '*/evil', 42], publish: 'chat/lobby news' });
    expect(policy).toEqual({ subscribe: ['chat/*'], publish: ['chat/lobby', 'news'] });
    expect(policyAllows(policy, 'subscribe', 'chat/x')).toBe(true);
    expect(policyAllows(policy, 'publish', 'chat/x')).toBe(false);
  });

  it('falls back to the default policy per operation, with {sub} substituted safely', () => {
    const config = { defaultPolicy: { subscribe: ['public/*', 'inbox/{sub}'], publish: ['inbox/{sub}'] } };
    expect(resolvePolicy({ sub: 'u1', publish: [] }, config)).toEqual({
      subscribe: ['public/*', 'inbox/u1'],
      publish: [],
    });
    // A subject that would widen the pattern is not substituted.
    expect(resolvePolicy({ sub: 'x/*' }, config).subscribe).toEqual(['public/*']);
    expect(resolvePolicy({ sub: '..' }, config).publish).toEqual([]);
  });

  it('allows nothing by default and honours custom claim names', () => {
    expect(resolvePolicy({ sub: 'u' })).toEqual({ subscribe: [], publish: [] });
    const policy = resolvePolicy({ 'ts:pub': ['a'] }, { claimNames: { publish: 'ts:pub' } });
    expect(policy.publish).toEqual(['a']);
  });
});
