/** Wire protocol v1: frame types, error codes, limits and the validator. Spec: docs/protocol.md. */
export * from './auth.ts';
export * from './codes.ts';
export * from './errors.ts';
export type * from './frames.ts';
export { exceedsJsonDepth, hasLoneSurrogate } from './json-checks.ts';
export * from './limits.ts';
export { type ParseOptions, type ParseResult, parseClientFrame, utf8Length } from './parse.ts';
export { topicProblem } from './topic.ts';

export const PROTOCOL_VERSION = 1;
export {
  isPattern,
  MAX_PATTERN_DEPTH,
  patternsMatching,
  subscriptionMatches,
  subscriptionProblem,
  WILDCARD,
} from './pattern.ts';
