import type { JsonValue, StreamPosition } from '../../protocol/index.ts';

/** One page of a listing, and where the next one starts (absent on the last page). */
export interface ListPage<T> {
  items: T[];
  /** Opaque cursor: pass it back as `after` for the next page. */
  next?: string;
}

export interface ListOptions {
  /** Most items returned; the caller enforces its own cap before asking. */
  limit: number;
  /** The `next` of the previous page; absent for the first. */
  after?: string;
}

/** A topic the store knows: one with live subscribers, or one with a history stream. */
export interface TopicSummary {
  topic: string;
  /** Live subscriptions to it. */
  subscribers: number;
  /** Its stream's position (epoch and top offset), when the store keeps history for it. */
  position?: StreamPosition;
}

/** An open connection as the store holds it, with its live subscriptions. */
export interface ConnectionSummary {
  connectionId: string;
  /** Epoch milliseconds. */
  connectedAt: number;
  /** Verified token claims (absent on an open server). */
  claims?: { [key: string]: JsonValue };
  sourceIp?: string;
  userAgent?: string;
  /** Live subscriptions, sorted; at most the broker's per-connection subscription limit. */
  topics: string[];
}

/**
 * Listing what a store holds, for the local console's admin views: read only, in pages, in a stable order.
 * Optional: a store offers it only when it can list without scanning everything it holds on each request.
 * MemoryStore does; DynamoDbStore does not (docs/console.md: topics and connections are not keys of any
 * index, so a listing would be a Scan of the whole table, history items included).
 */
export interface Inventory {
  listTopics(options: ListOptions): Promise<ListPage<TopicSummary>>;
  listConnections(options: ListOptions): Promise<ListPage<ConnectionSummary>>;
}

export function hasInventory(store: object): store is Inventory {
  const candidate = store as Partial<Inventory>;
  return typeof candidate.listTopics === 'function' && typeof candidate.listConnections === 'function';
}
