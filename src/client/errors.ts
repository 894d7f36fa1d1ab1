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
  /** Opening the connection failed (network, handshake refused, `getToken` threw). The client retries. */
  connect_failed: { retryable: true },
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
