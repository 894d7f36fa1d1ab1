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

/**
 * Limits topicsocket itself sets on what clients send (docs/protocol.md, "Limits"). Past any of them a frame
 * or `POST /publish` body is refused with `bad_frame` (never retryable).
 */
export const InputLimits = {
  /**
   * Deepest nesting of objects and arrays in a frame or message (the frame's own object counts as 1). Deeper
   * payloads are refused at ingest: accepted, they would break every later `history` answer on their topic.
   */
  maxJsonDepth: 64,
  /** Longest idempotency key of a WebSocket publish, in UTF-16 units. */
  maxIdempotencyKeyLength: 128,
  /** Longest idempotency key of a `POST /publish` message, in UTF-16 units. */
  maxHttpIdempotencyKeyLength: 256,
  /** Most concrete topics one pattern subscribe may recover (`positions`). */
  maxPatternPositions: 100,
  /** Most members one `presence` answer holds (its `limit` is capped at this). */
  maxPresencePage: 100,
  /** Longest method name of an `rpc` frame, in UTF-16 units. */
  maxRpcMethodLength: 128,
} as const;
