import type { JsonValue } from '../../protocol/index.ts';

/** What the broker keeps about one open connection. */
export interface ConnectionRecord {
  connectionId: string;
  /** Epoch milliseconds. */
  connectedAt: number;
  /** Epoch **seconds** (DynamoDB TTL convention); the record is dead from this instant on, read or not. */
  expiresAt: number;
  sourceIp?: string;
  userAgent?: string;
  /** Verified token claims, for per-topic permissions on later routes. */
  claims?: { [key: string]: JsonValue };
}

export type SubscribeOutcome =
  /** A new subscription was stored. */
  | 'subscribed'
  /** The connection already held this subscription; its TTL was refreshed. */
  | 'already_subscribed'
  /** The connection is gone or expired (for example a subscribe racing a disconnect); nothing was stored. */
  | 'no_connection'
  /** The connection holds `maxSubscriptions` subscriptions already; nothing was stored. */
  | 'limit_reached';

export interface SubscribeOptions {
  /** Epoch seconds after which the subscription is dead. */
  expiresAt: number;
  /** Upper bound on the connection's subscriptions, enforced atomically by the store. */
  maxSubscriptions: number;
}

/**
 * Connections and subscriptions. Every lookup is by key (topic, or connection id): an implementation never
 * needs a table scan. Every read filters out records whose `expiresAt` has passed, because stores that expire
 * lazily (DynamoDB TTL) still return them for a while.
 *
 * One contract test suite (test/stores/store-contract.ts) runs against every implementation.
 */
export interface Store {
  putConnection(record: ConnectionRecord): Promise<void>;
  getConnection(connectionId: string): Promise<ConnectionRecord | undefined>;
  /** Removes the connection and every subscription it holds. Idempotent. */
  removeConnection(connectionId: string): Promise<void>;
  /** Stores a subscription only while the connection exists: a subscribe racing a disconnect leaves no orphan. */
  subscribe(connectionId: string, topic: string, options: SubscribeOptions): Promise<SubscribeOutcome>;
  /** Returns whether a subscription was removed. */
  unsubscribe(connectionId: string, topic: string): Promise<boolean>;
  /** Live subscribers of `topic`, in pages, so a huge topic is never held in memory at once. */
  subscribers(topic: string): AsyncIterable<readonly string[]>;
  /** Topics the connection is subscribed to (live ones only). */
  topicsOf(connectionId: string): Promise<string[]>;
  /** Releases clients, timers, files. */
  close?(): Promise<void>;
}
