import type { JsonValue } from '../../protocol/index.ts';
import { isPattern, topicProblem } from '../../protocol/index.ts';

/** `presence`: reading a topic's members and taking part in them (docs/protocol.md, "Presence"). */
export type TopicOperation = 'subscribe' | 'publish' | 'presence';

/** Topic patterns per operation: exact names (`chat/lobby`) or a trailing wildcard (`chat/*`, `*`). */
export interface TopicPolicy {
  subscribe: readonly string[];
  publish: readonly string[];
  /** Absent: the subscribe patterns (presence is off for topics the connection cannot subscribe to). */
  presence?: readonly string[];
}

export interface PermissionsConfig {
  /** Claims holding the patterns: arrays of strings, or space-separated strings. Default `subscribe`, `publish`. */
  claimNames?: Partial<Record<TopicOperation, string>>;
  /**
   * Patterns for a token that lacks the claim for an operation. `{sub}` is replaced by the token's `sub`
   * (e.g. `inbox/{sub}`), and the pattern is dropped when `sub` is not a safe topic segment. Default: none
   * (a token without permission claims may neither subscribe nor publish).
   */
  defaultPolicy?: TopicPolicy;
}

/** Everything allowed: what an unauthenticated (open, dev-mode) connection gets. */
export const OPEN_POLICY: TopicPolicy = { subscribe: ['*'], publish: ['*'] };

/** Why `pattern` is not a usable topic pattern, or undefined when it is. */
export function patternProblem(pattern: string): string | undefined {
  if (pattern === '*') return undefined;
  const star = pattern.indexOf('*');
  if (star !== -1 && star !== pattern.length - 1) return 'a wildcard may only end a pattern';
  const literal = star === -1 ? pattern : pattern.slice(0, -1);
  // A prefix such as `chat/` is itself not a topic (it may end in a separator), so check it with a stand-in.
  return topicProblem(star === -1 ? literal : `${literal}x`);
}

/**
 * `chat/*` matches every topic that starts with `chat/` (at any depth); `*` matches all; anything else must
 * be equal. Topics never contain `*` or `..` (see topicProblem), so a prefix test cannot be escaped.
 */
export function patternMatches(pattern: string, topic: string): boolean {
  if (pattern.endsWith('*')) return topic.startsWith(pattern.slice(0, -1));
  return pattern === topic;
}

/** The effective permissions of one connection, computed once per check from its claims and the server policy. */
export function resolvePolicy(
  claims: { [key: string]: JsonValue } | undefined,
  config: PermissionsConfig = {},
): TopicPolicy {
  const defaults = config.defaultPolicy ?? { subscribe: [], publish: [] };
  const subject = typeof claims?.sub === 'string' ? claims.sub : undefined;
  const pick = (operation: TopicOperation): string[] | undefined => {
    const claim = claims?.[config.claimNames?.[operation] ?? operation];
    const fromClaim = claimPatterns(claim);
    const fallback = defaults[operation];
    const patterns = fromClaim ?? (fallback === undefined ? undefined : substituteSubject(fallback, subject));
    return patterns?.filter((pattern) => patternProblem(pattern) === undefined);
  };
  const presence = pick('presence');
  return {
    subscribe: pick('subscribe') ?? [],
    publish: pick('publish') ?? [],
    ...(presence === undefined ? {} : { presence }),
  };
}

/**
 * Whether the policy lets `operation` touch `topic`. A wildcard subscription (`orders/*`, only ever given for
 * subscribe) is allowed only when one pattern covers all of it: every topic it can receive is one the
 * connection may subscribe to on its own.
 */
export function policyAllows(policy: TopicPolicy, operation: TopicOperation, topic: string): boolean {
  const patterns = operation === 'presence' ? (policy.presence ?? policy.subscribe) : policy[operation];
  if (isPattern(topic)) return patterns.some((pattern) => patternCovers(pattern, topic));
  return patterns.some((pattern) => patternMatches(pattern, topic));
}

/** `chat/*` covers the subscription pattern `chat/eu/*` (and `chat/*`); an exact name covers no pattern. */
function patternCovers(permission: string, subscription: string): boolean {
  if (!permission.endsWith('*')) return false;
  return subscription.slice(0, -1).startsWith(permission.slice(0, -1));
}

function claimPatterns(value: JsonValue | undefined): string[] | undefined {
  if (typeof value === 'string') return value.split(/\s+/).filter((p) => p.length > 0);
  if (Array.isArray(value)) return value.filter((p): p is string => typeof p === 'string');
  return undefined;
}

function substituteSubject(patterns: readonly string[], subject: string | undefined): string[] {
  const safe = subject !== undefined && !/[/*]/.test(subject) && topicProblem(subject) === undefined;
  return patterns.flatMap((pattern) => {
    if (!pattern.includes('{sub}')) return [pattern];
    return safe ? [pattern.replaceAll('{sub}', subject)] : [];
  });
}
