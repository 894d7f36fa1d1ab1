/** Limits of API Gateway WebSocket APIs (see docs/protocol.md and the field notes, section 1). */
export const ApiGatewayLimits = {
  /** Largest message API Gateway accepts, and largest `@connections` POST body. */
  maxMessageBytes: 128 * 1024,
  /** Largest single WebSocket frame; a larger frame closes the connection with 1009. */
  maxFrameBytes: 32 * 1024,
  /** A connection with no traffic either way for this long is closed. */
  idleTimeoutMs: 10 * 60 * 1000,
  /** No connection lives longer than this. */
  maxConnectionDurationMs: 2 * 60 * 60 * 1000,
} as const;

/** Rules for topic names: short, printable, safe as a DynamoDB key and in a URL path. */
export const TopicRules = {
  maxLength: 256,
  /** Unicode letters and digits plus a few separators; no whitespace or control characters. */
  pattern: /^[\p{L}\p{N}_\-.:@/+=~]+$/u,
} as const;
