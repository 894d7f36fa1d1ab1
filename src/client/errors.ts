import { type ErrorCode, ErrorCodes } from '../protocol/codes.ts';

/**
 * Failures the SDK itself detects, next to the server's protocol codes. `retryable` follows the same rule:
 * whether doing the same thing again later can succeed.
 */
export const ClientErrorCodes = {
  /** The server did not acknowledge in time. The operation may or may not have taken effect. */
  timeout: { retryable: true },
  /** `offlinePublish: 'reject'` and the client is not connected. */
  not_connected: { retryable: true },
  /** The offline publish queue is full. */
  queue_full: { retryable: true },
  /** The connection dropped before the server acknowledged; the publish may or may not have happened. */
  connection_lost: { retryable: true },
  /** The client was closed (by `close()` or by the server with `reconnect: false`). */
  closed: { retryable: false },
  /** The message is larger than one WebSocket frame may be (API Gateway closes the connection on those). */
  frame_too_large: { retryable: false },
  /** A message listener threw; reported on the `error` event, the other listeners still ran. */
  listener_failed: { retryable: false },
  /** An async iterator's buffer overflowed because it was read too slowly; the oldest message was dropped. */
  buffer_overflow: { retryable: false },
  /**
   * Opening the connection failed without an answer the SDK can read: the network, a server that is down,
   * `getToken` threw, or (in browsers, which hide the handshake's HTTP status) a refusal. The client retries.
   */
  connect_failed: { retryable: true },
  /** The handshake was answered 404: nothing at this URL takes WebSocket connections (check host, port, path). */
  not_found: { retryable: false },
  /** The handshake was refused with a status the SDK has no better code for (see `status`). */
  connect_refused: { retryable: false },
  /** The server sent something that is not a protocol v1 frame. */
  bad_server_frame: { retryable: false },
} as const satisfies Record<string, { retryable: boolean }>;

export type ClientErrorCode = keyof typeof ClientErrorCodes;

/** Every code a `TopicsocketError` can carry: the server's protocol codes and the SDK's own. */
export type TopicsocketErrorCode = ErrorCode | ClientErrorCode;

export interface TopicsocketErrorDetails {
  /** The topic the failed operation was about, when there is one. */
  topic?: string;
  /** The underlying error (a listener's exception, a WebSocket error event, `getToken`'s rejection). */
  cause?: unknown;
  /** Overrides the retryable flag of the code (the server's own flag wins over the code's default). */
  retryable?: boolean;
}

/** The one error type the SDK rejects and emits: a stable `code`, a message, and whether retrying helps. */
export class TopicsocketError extends Error {
  override readonly name = 'TopicsocketError';
  readonly code: TopicsocketErrorCode;
  readonly retryable: boolean;
  readonly topic: string | undefined;

  constructor(code: TopicsocketErrorCode, message: string, details: TopicsocketErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.retryable = details.retryable ?? defaultRetryable(code);
    this.topic = details.topic;
  }
}

export function isTopicsocketError(value: unknown): value is TopicsocketError {
  return value instanceof TopicsocketError;
}

function defaultRetryable(code: TopicsocketErrorCode): boolean {
  if (code in ClientErrorCodes) return ClientErrorCodes[code as ClientErrorCode].retryable;
  if (code in ErrorCodes) return ErrorCodes[code as ErrorCode].retryable;
  return false;
}

/**
 * What the server answered when it refused the WebSocket upgrade (an HTTP status instead of 101). Readable
 * only where the WebSocket implementation exposes the handshake response: the `ws` package (Node) does;
 * browsers and Node's global WebSocket do not (they report close code 1006 and nothing else).
 */
export interface ConnectRefusal {
  /** The HTTP status of the refusal (401, 403, 404, 429, 500, 503, ...). */
  status: number;
  /** The server's protocol code, from its JSON error body, when it sent one (`unauthorized`, `rate_limited`). */
  serverCode?: ErrorCode;
  /** The server's message: the body's `message`, else the HTTP status text. */
  serverMessage: string;
  /** From a `Retry-After` header, when the server sent one: how long to wait before the next attempt. */
  retryAfterMs?: number;
}

/**
 * The server refused the connection: `status` is its HTTP status and `code` says what to do. `unauthorized`
 * (401) and `forbidden` (403): fix the token; the client stops retrying until `getToken` returns a different
 * token or `client.reconnect()` is called. `not_found` (404): fix the URL; likewise. `rate_limited` (429),
 * `unavailable` / `internal_error` (5xx): the client retries with backoff (at least `retryAfterMs`).
 */
export class ConnectRefusedError extends TopicsocketError {
  readonly status: number;
  readonly serverCode: ErrorCode | undefined;
  readonly serverMessage: string;
  readonly retryAfterMs: number | undefined;

  constructor(refusal: ConnectRefusal) {
    const code = refusalCode(refusal);
    super(code, `connection refused: ${refusal.status} ${refusal.serverMessage}`);
    this.status = refusal.status;
    this.serverCode = refusal.serverCode;
    this.serverMessage = refusal.serverMessage;
    this.retryAfterMs = refusal.retryAfterMs;
  }
}

export function isConnectRefusedError(value: unknown): value is ConnectRefusedError {
  return value instanceof ConnectRefusedError;
}

/** The server's own code when it sent one, else what the status means. */
function refusalCode(refusal: ConnectRefusal): TopicsocketErrorCode {
  if (refusal.serverCode !== undefined) return refusal.serverCode;
  const { status } = refusal;
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not_found';
  if (status === 429) return 'rate_limited';
  if (status === 500) return 'internal_error';
  if (status >= 500) return 'unavailable';
  return 'connect_refused';
}
