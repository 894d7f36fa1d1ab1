import { ApiGatewayLimits } from '../../protocol/index.ts';

/** The emulator's limits and timers; defaults are API Gateway's (field notes §1). */
export interface EmulatorLimits {
  /** Largest message a client may send (its frames together) and largest `@connections` POST body. */
  maxMessageBytes: number;
  /** Largest single frame a client may send; a larger one closes the connection with 1009. */
  maxFrameBytes: number;
  /** A connection with no traffic either way for this long is closed with 1001. */
  idleTimeoutMs: number;
  /** No connection lives longer than this; it is then closed with 1001. */
  maxConnectionDurationMs: number;
  /** API Gateway gives up on an integration after 29 s and tells the client so. */
  integrationTimeoutMs: number;
  /**
   * Bytes a client may leave unread before sends to it fail (API Gateway answers 429 LimitExceeded when a
   * client's buffer is full). The real figure is undocumented; this only keeps a stuck client from growing
   * the emulator's memory without bound.
   */
  maxBufferedBytes: number;
  /**
   * Messages of one connection waiting for the handler before the emulator stops reading that connection
   * (until half are handled). Local only: bounds memory when a client floods.
   */
  maxQueuedMessages: number;
  /** How long `close()` waits for clients to answer the close handshake before dropping their sockets. */
  closeGraceMs: number;
  /**
   * Most connections (open or in `$connect`) from one source IP; past it the upgrade is refused with 429
   * (`rate_limited`). 0 means no limit. Local only: on AWS, API Gateway's throttling applies instead.
   */
  maxConnectionsPerIp: number;
  /**
   * When a client leaves more than `maxBufferedBytes` unread, disconnect it (close 1008 `slow_consumer`,
   * after the table's `slowConsumerNotice`: the dev server's in-band `disconnect`) instead of only failing
   * sends to it as API Gateway does.
   */
  disconnectSlowConsumers: boolean;
}

export const defaultEmulatorLimits: EmulatorLimits = {
  maxMessageBytes: ApiGatewayLimits.maxMessageBytes,
  maxFrameBytes: ApiGatewayLimits.maxFrameBytes,
  idleTimeoutMs: ApiGatewayLimits.idleTimeoutMs,
  maxConnectionDurationMs: ApiGatewayLimits.maxConnectionDurationMs,
  integrationTimeoutMs: 29_000,
  maxBufferedBytes: 4 * 1024 * 1024,
  closeGraceMs: 1_000,
  maxQueuedMessages: 1_000,
  maxConnectionsPerIp: 1_000,
  disconnectSlowConsumers: true,
};

/** The limits a server runs with: the defaults overridden by `limits`, checked against what API Gateway allows. */
export function resolveEmulatorLimits(limits: Partial<EmulatorLimits> = {}): EmulatorLimits {
  const resolved = { ...defaultEmulatorLimits, ...limits };
  if (resolved.maxConnectionDurationMs > ApiGatewayLimits.maxConnectionDurationMs) {
    // Records (connection, subscriptions) expire shortly after 2 hours; a longer connection would outlive them.
    throw new Error('maxConnectionDurationMs must be at most 2 hours (7200000), as on API Gateway');
  }
  return resolved;
}
