/** Outcome of sending one frame to a set of connections. Counts are cheap; ids are listed only when not delivered. */
export interface DeliveryReport {
  delivered: number;
  /** Connections that no longer exist (HTTP 410): the broker removes them and their subscriptions. */
  gone: string[];
  /**
   * Connections whose own connection kept failing: its buffer stayed full (it is not reading), 5xx or
   * timeouts past the per-receiver attempts, or an error retrying cannot heal (403, 413).
   */
  failed: Array<{ connectionId: string; error: string }>;
  /**
   * Connections not delivered within the call's time budget because the account was throttled (or their
   * turn never came before the deadline). Nothing is wrong with them: sending again later can succeed, so
   * callers retry these (the sharded worker requeues them; the inline fan-out retries within its own
   * budget and counts what it finally gives up on). Absent or empty: none. A deferred receiver may have
   * been delivered after all if an answer was lost, so a retry can duplicate; clients drop duplicates by
   * offset (docs/protocol.md).
   */
  deferred?: string[];
}

export interface SendOptions {
  /**
   * Epoch milliseconds after which no post is started: receivers still waiting then are reported
   * `deferred`. Absent: the gateway's default (on Lambda, the invocation's remaining time).
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
  /**
   * Which of these connections no longer exist (API Gateway's GetConnection answering 410; locally, no such
   * socket). Presence asks it before listing members, so a connection whose `$disconnect` was missed is not
   * shown. Optional: without it, presence trusts the store (TTL and removals).
   */
  findGone?(connectionIds: readonly string[]): Promise<string[]>;
}
