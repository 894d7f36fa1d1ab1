/** Outcome of sending one frame to a set of connections. Counts are cheap; ids are listed only when not delivered. */
export interface DeliveryReport {
  delivered: number;
  /** Connections that no longer exist (HTTP 410): the broker removes them and their subscriptions. */
  gone: string[];
  /** Connections that exist but could not be reached (throttled past retries, 5xx, timeouts). */
  failed: Array<{ connectionId: string; error: string }>;
  /**
   * Connections not delivered before `SendOptions.deadline` because the account was throttled (or the
   * deadline came before their turn): nothing is wrong with them, and a later attempt can succeed. The
   * sharded fan-out sends them back to the queue. Optional: a gateway that ignores deadlines never reports
   * any (the bundled gateways do not yet; the throttle-aware gateway will).
   */
  deferred?: string[];
}

export interface SendOptions {
  /**
   * Epoch milliseconds by which `send` should return. Receivers it could not deliver by then without
   * dropping them are reported `deferred` instead of `failed`. Absent: no time budget (the inline path).
   */
  deadline?: number;
}

/**
 * The way out to clients: API Gateway's `@connections` API on AWS, the sockets themselves locally.
 * `send` takes the frame already serialized, once per publish, and never rejects because one receiver failed.
 */
export interface Gateway {
  send(connectionIds: readonly string[], frame: string, options?: SendOptions): Promise<DeliveryReport>;
  /** Ends a connection (API Gateway's DeleteConnection). Unknown ids are not an error. */
  close(connectionId: string): Promise<void>;
  /**
   * Resolves once the connection can take more without passing its unread-output bound (or is gone). A
   * replay awaits it before each message, so a fast reader is fed at its own pace instead of being dropped
   * as a slow consumer. Optional: on AWS each post completes before the next, which is backpressure enough.
   */
  whenWritable?(connectionId: string): Promise<void>;
}
