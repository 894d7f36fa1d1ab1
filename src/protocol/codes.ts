/**
 * Stable error codes of protocol v1. Clients switch on these strings; never rename one.
 * `retryable` says whether sending the same frame again later can succeed.
 */
export const ErrorCodes = {
  /** The frame is not valid JSON. */
  bad_json: { retryable: false },
  /** The frame is JSON but not a well-formed v1 frame (not an object, wrong field types, missing fields). */
  bad_frame: { retryable: false },
  /** `type` is missing or not one this server knows. */
  unknown_type: { retryable: false },
  /** Binary frames are not part of the protocol. */
  binary_unsupported: { retryable: false },
  /** The topic is empty, too long, or contains characters outside the allowed set. */
  invalid_topic: { retryable: false },
  /** The frame (or the message it would deliver) is larger than the message size limit. */
  payload_too_large: { retryable: false },
  /** The connection already holds the maximum number of subscriptions. */
  too_many_subscriptions: { retryable: false },
  /** The connection is sending faster than its rate limit allows. */
  rate_limited: { retryable: true },
  /** The connection is not authenticated (missing, invalid or expired token). */
  unauthorized: { retryable: false },
  /** The connection's permissions do not cover this topic and operation. */
  forbidden: { retryable: false },
  /** The connection is no longer known to the server (for example it expired); reconnect. */
  connection_unknown: { retryable: true },
  /** A dependency (store, gateway) failed or was throttled; the operation may succeed later. */
  unavailable: { retryable: true },
  /** An unexpected server error. */
  internal_error: { retryable: true },
  /** The server's own rules (a hook: docs/hooks.md) refused the request's content. */
  bad_request: { retryable: false },
  /** The server's own rules (a hook) found nothing by that name. */
  not_found: { retryable: false },
  /** `rpc` named a method the server does not have. */
  unknown_method: { retryable: false },
  /** A server hook did not answer within its time budget; the request was not carried out. */
  hook_timeout: { retryable: true },
} as const satisfies Record<string, { retryable: boolean }>;

export type ErrorCode = keyof typeof ErrorCodes;

export function isRetryable(code: ErrorCode): boolean {
  return ErrorCodes[code].retryable;
}

/**
 * Reasons the server gives (in a `disconnect` frame, then as the WebSocket close reason where it can) for
 * ending a connection. The client SDK reconnects on all of them except `policy`.
 */
export const DisconnectReasons = {
  idle_timeout: { reconnect: true },
  max_duration: { reconnect: true },
  server_shutdown: { reconnect: true },
  slow_consumer: { reconnect: true },
  token_expired: { reconnect: true },
  policy: { reconnect: false },
} as const satisfies Record<string, { reconnect: boolean }>;

export type DisconnectReason = keyof typeof DisconnectReasons;

/** WebSocket close codes used by the emulator, as API Gateway uses them. */
export const CloseCodes = {
  normal: 1000,
  goingAway: 1001,
  unsupportedData: 1003,
  policyViolation: 1008,
  messageTooBig: 1009,
  internalError: 1011,
} as const;
