/**
 * Wildcard subscriptions (docs/protocol.md, "Wildcard subscriptions"). A subscription names either a topic or
 * a **pattern**: `*` (every topic) or `<prefix>/*`, which matches every topic that starts with `<prefix>/`,
 * one or more segments deep: the same meaning a trailing `*` has in permissions, cut at a segment boundary.
 *
 * There is no single-segment wildcard (`orders/+/status`): `+` is already a legal topic character (so such a
 * pattern would change what existing topic names mean), and a publish could no longer find its matching
 * patterns by prefix: `a/b/c` has 3 prefix patterns but 8 `+` patterns, 2^depth in general.
 */
import { topicProblem } from './topic.ts';

/** The wildcard that ends a pattern. No topic contains it (TopicRules), so patterns and topics never collide. */
export const WILDCARD = '*';

/**
 * Deepest pattern a client may subscribe to, in segments before the `*` (`a/b/*` has 2). A publish looks up
 * this many patterns plus `*`, so the bound is what keeps that lookup to one small request.
 */
export const MAX_PATTERN_DEPTH = 16;

export function isPattern(subscription: string): boolean {
  return subscription.endsWith(WILDCARD);
}

/** Why `subscription` is neither a valid topic nor a valid pattern, or undefined when it is one of them. */
export function subscriptionProblem(subscription: string): string | undefined {
  if (!isPattern(subscription)) return topicProblem(subscription);
  if (subscription === WILDCARD) return undefined;
  if (!subscription.endsWith(`/${WILDCARD}`)) {
    return 'a wildcard subscription is "*" or ends in "/*" (a whole segment)';
  }
  const prefix = subscription.slice(0, -1);
  // The prefix ends in a separator, so it is checked with a stand-in segment (as permission patterns are).
  const problem = topicProblem(`${prefix}x`);
  if (problem) return problem;
  if (prefix.split('/').length - 1 > MAX_PATTERN_DEPTH) {
    return `a wildcard subscription may have at most ${MAX_PATTERN_DEPTH} segments before "*"`;
  }
  return undefined;
}

/** Whether a pattern (or, for a plain topic, equality) covers `topic`. */
export function subscriptionMatches(subscription: string, topic: string): boolean {
  if (!isPattern(subscription)) return subscription === topic;
  return topic.startsWith(subscription.slice(0, -1));
}

/**
 * Every pattern a publish to `topic` must reach, shallowest first: for `a/b/c` these are `*`, `a/*` and
 * `a/b/*` (never `a/b/c/*`: a pattern matches one or more segments below its prefix). At most
 * MAX_PATTERN_DEPTH + 1 of them.
 */
export function patternsMatching(topic: string): string[] {
  const patterns = [WILDCARD];
  let from = 0;
  for (let depth = 1; depth <= MAX_PATTERN_DEPTH; depth++) {
    const slash = topic.indexOf('/', from);
    if (slash === -1) break;
    patterns.push(`${topic.slice(0, slash + 1)}${WILDCARD}`);
    from = slash + 1;
  }
  return patterns;
}
