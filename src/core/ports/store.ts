import type { JsonValue } from '../../protocol/index.ts';
import type { History } from './history.ts';
import type { Presence } from './presence.ts';
import type { ShardLedger } from './shard-ledger.ts';

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
  /**
   * What the onConnect hook attached to the connection (docs/hooks.md): JSON, at most
   * HookDefaults.maxUserBytes serialized; given to every later hook as `ctx.user`.
   */
  user?: JsonValue;
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
  /**
   * Epoch seconds when the connection's token expires. Kept with the subscription, so the fan-out, which
   * reads subscriptions anyway, finds subscribers whose token expired and ends them (`tokenExpired` below)
   * even when they never invoke the function again (pings never reach Lambda).
   */
  tokenExpiresAt?: number;
  /** Upper bound on the connection's subscriptions, enforced atomically by the store. */
  maxSubscriptions: number;
  /**
   * Makes the connection a presence member of the topic (ports/presence.ts), with its `user` data and these
   * of its claims; absent on a renewal, membership ends. Only for topics, never for patterns.
   */
  presence?: { claims: readonly string[] };
}

/**
 * One page of a topic's live subscribers (connection ids). `tokenExpired` lists the page's subscribers whose
 * token has expired: they are not in the page itself (nothing is delivered to them); the fan-out ends them
 * with `endTokenExpired` (core/token-expiry.ts). An array with one optional extra property, so code that
 * only iterates pages keeps working.
 */
export type SubscriberPage = readonly string[] & { readonly tokenExpired?: readonly string[] };

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
  /**
   * Removes the connection and every subscription it holds. Idempotent. Resolves to the topics whose presence
   * it was a member of (for `leave` events) when the store learns them in the same step; may be empty.
   */
  removeConnection(connectionId: string): Promise<readonly string[] | undefined>;
  /**
   * Stores a subscription only while the connection exists: a subscribe racing a disconnect leaves no orphan.
   * `topic` may be a pattern (`orders/*`); once this resolves, every publish that starts later reaches it.
   */
  subscribe(connectionId: string, topic: string, options: SubscribeOptions): Promise<SubscribeOutcome>;
  /**
   * Returns whether a subscription was removed. `onLeft` is called when the connection's presence membership
   * of the topic ended with it (the broker then sends `leave`).
   */
  unsubscribe(connectionId: string, topic: string, onLeft?: () => void): Promise<boolean>;
  /**
   * Every live receiver of a publish to `topic`, in pages, so a huge topic is never held in memory at once:
   * its subscribers and those of each pattern matching it (`orders/*`, `*`: protocol/pattern.ts), each
   * connection once however many of its subscriptions match.
   */
  subscribers(topic: string): AsyncIterable<SubscriberPage>;
  /** Topics the connection is subscribed to (live ones only). */
  topicsOf(connectionId: string): Promise<string[]>;
  /**
   * The store's message history (both bundled stores keep one, in the same table or process). Absent: the
   * store keeps none, and the broker runs with history off unless it is given a History of its own.
   */
  readonly history?: History;
  /** The store's shard completion markers, for the sharded fan-out. Absent: it needs a ledger given apart. */
  readonly shardLedger?: ShardLedger;
  /** Who is in a topic (ports/presence.ts; both bundled stores keep it). Absent: presence is off. */
  readonly presence?: Presence;
  /** Releases clients, timers, files. */
  close?(): Promise<void>;
}
