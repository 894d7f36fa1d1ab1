import type {
  ConnectionRecord,
  ConnectionSummary,
  Inventory,
  ListOptions,
  ListPage,
  ShardLedger,
  Store,
  SubscribeOptions,
  SubscribeOutcome,
  SubscriberPage,
  SubscriberRange,
  SubscriberRangePage,
  SubscriberRanges,
  TopicSummary,
} from '../../core/index.ts';
import { MemoryHistory, type MemoryHistoryLimits } from './memory-history.ts';
import { MemoryShardLedger } from './memory-shard-ledger.ts';
import { pageOfNames } from './name-pages.ts';
import { TopicExpiries } from './topic-expiries.ts';

export interface MemoryStoreOptions {
  /** Epoch milliseconds; injectable so tests can move time past TTLs. */
  now?: () => number;
  /** Subscribers yielded per page. */
  pageSize?: number;
  /** Memory bounds of the history (defaults: `defaultMemoryHistoryLimits`, docs/history.md). */
  history?: Partial<MemoryHistoryLimits>;
}

/**
 * The embedded store of `npm start`: the full Store contract, TTLs included, in two indexes (by topic and
 * by connection) so every operation is a key lookup, as it is in DynamoDB.
 */
export class MemoryStore implements Store, Inventory, SubscriberRanges, ShardLedger {
  private readonly connections = new Map<string, ConnectionRecord>();
  /** topic -> connectionId -> expiresAt (epoch seconds) */
  private readonly byTopic = new Map<string, Map<string, number>>();
  /** connectionId -> topic -> expiresAt (epoch seconds) */
  private readonly byConnection = new Map<string, TopicExpiries>();
  /** connectionId -> token expiry (epoch seconds), for connections that subscribed with one. */
  private readonly tokenExpiries = new Map<string, number>();
  private readonly now: () => number;
  private readonly pageSize: number;
  /** topic -> its subscribers' ids sorted, for range reads; dropped whenever the topic's set changes. */
  private readonly sortedIds = new Map<string, string[]>();
  private readonly ledger: MemoryShardLedger;
  /** The store's History, in the same process; `size()` says what it holds (docs/history.md, "Memory store"). */
  readonly history: MemoryHistory;

  constructor(options: MemoryStoreOptions = {}) {
    this.now = options.now ?? Date.now;
    this.pageSize = options.pageSize ?? 1000;
    this.history = new MemoryHistory(this.now, options.history);
    this.ledger = new MemoryShardLedger(this.now);
  }

  isShardDone(shardId: string): Promise<boolean> {
    return this.ledger.isShardDone(shardId);
  }

  markShardDone(shardId: string, expiresAt: number): Promise<boolean> {
    return this.ledger.markShardDone(shardId, expiresAt);
  }

  async subscriberPage(topic: string, range: SubscriberRange, limit: number): Promise<SubscriberRangePage> {
    const subscribers = this.byTopic.get(topic);
    if (!subscribers) return { connectionIds: [] };
    const nowSeconds = this.nowSeconds();
    // The whole topic within one page (every small topic's inline fan-out): no sorting needed.
    if (range.after === undefined && range.until === undefined && subscribers.size < limit) {
      const page: SubscriberRangePage = { connectionIds: [] };
      const expired: string[] = [];
      for (const [connectionId, expiresAt] of subscribers) {
        if (expiresAt > nowSeconds) this.placeLive(page, connectionId, nowSeconds);
        else expired.push(connectionId);
      }
      // Expired subscriptions go now, as a full read of the topic drops them (see `subscribers`).
      for (const connectionId of expired) {
        this.byConnection.get(connectionId)?.delete(topic);
        this.dropFromTopic(topic, connectionId);
      }
      return page;
    }
    let sorted = this.sortedIds.get(topic);
    if (!sorted) {
      sorted = [...subscribers.keys()].sort();
      this.sortedIds.set(topic, sorted);
    }
    let index = range.after === undefined ? 0 : firstAbove(sorted, range.after);
    const page: SubscriberRangePage = { connectionIds: [] };
    let last: string | undefined;
    let looked = 0;
    for (; looked < limit && index < sorted.length; looked++, index++) {
      const connectionId = sorted[index] as string;
      if (range.until !== undefined && connectionId > range.until) break;
      last = connectionId;
      if ((subscribers.get(connectionId) ?? 0) > nowSeconds) this.placeLive(page, connectionId, nowSeconds);
    }
    // As a DynamoDB Query with `Limit`: a full page says where it stopped, even if nothing follows.
    const full = looked === limit && last !== undefined && last !== range.until;
    if (full) page.next = last;
    return page;
  }

  /** A live subscription into its page: with the deliverable ids, or beside them if its token expired. */
  private placeLive(page: SubscriberRangePage, connectionId: string, nowSeconds: number): void {
    const tokenExpiresAt = this.tokenExpiries.size > 0 ? this.tokenExpiries.get(connectionId) : undefined;
    if (tokenExpiresAt !== undefined && tokenExpiresAt <= nowSeconds) {
      page.tokenExpired ??= [];
      page.tokenExpired.push(connectionId);
    } else page.connectionIds.push(connectionId);
  }

  async putConnection(record: ConnectionRecord): Promise<void> {
    this.connections.set(record.connectionId, { ...record });
  }

  async getConnection(connectionId: string): Promise<ConnectionRecord | undefined> {
    const record = this.liveConnection(connectionId);
    return record && { ...record };
  }

  async removeConnection(connectionId: string): Promise<void> {
    this.removeConnectionNow(connectionId);
  }

  private removeConnectionNow(connectionId: string): void {
    this.connections.delete(connectionId);
    this.tokenExpiries.delete(connectionId);
    const topics = this.byConnection.get(connectionId);
    if (!topics) return;
    for (const [topic] of topics.entries()) this.dropFromTopic(topic, connectionId);
    this.byConnection.delete(connectionId);
  }

  async subscribe(connectionId: string, topic: string, options: SubscribeOptions): Promise<SubscribeOutcome> {
    // Check and write with no await in between, so a concurrent removeConnection cannot leave an orphan.
    if (!this.liveConnection(connectionId)) return 'no_connection';
    let topics = this.byConnection.get(connectionId);
    if (!topics) {
      topics = new TopicExpiries();
      this.byConnection.set(connectionId, topics);
    }
    const existing = topics.get(topic);
    const nowSeconds = this.nowSeconds();
    const live = existing !== undefined && existing > nowSeconds;
    if (!live) {
      this.pruneExpired(connectionId, topics, nowSeconds);
      if (topics.size >= options.maxSubscriptions) return 'limit_reached';
    }
    topics.set(topic, options.expiresAt);
    if (options.tokenExpiresAt !== undefined) this.tokenExpiries.set(connectionId, options.tokenExpiresAt);
    let subscribers = this.byTopic.get(topic);
    if (!subscribers) {
      subscribers = new Map();
      this.byTopic.set(topic, subscribers);
    }
    if (!subscribers.has(connectionId)) this.sortedIds.delete(topic);
    subscribers.set(connectionId, options.expiresAt);
    return live ? 'already_subscribed' : 'subscribed';
  }

  async unsubscribe(connectionId: string, topic: string): Promise<boolean> {
    const topics = this.byConnection.get(connectionId);
    const expiresAt = topics?.get(topic);
    if (!topics || expiresAt === undefined) return false;
    topics.delete(topic);
    this.dropFromTopic(topic, connectionId);
    return expiresAt > this.nowSeconds();
  }

  async *subscribers(topic: string): AsyncIterable<SubscriberPage> {
    const subscribers = this.byTopic.get(topic);
    if (!subscribers) return;
    const nowSeconds = this.nowSeconds();
    const checkTokens = this.tokenExpiries.size > 0;
    let page: string[] & { tokenExpired?: string[] } = [];
    const expired: string[] = [];
    for (const [connectionId, expiresAt] of subscribers) {
      if (expiresAt <= nowSeconds) {
        expired.push(connectionId);
        continue;
      }
      const tokenExpiresAt = checkTokens ? this.tokenExpiries.get(connectionId) : undefined;
      if (tokenExpiresAt !== undefined && tokenExpiresAt <= nowSeconds) {
        page.tokenExpired ??= [];
        page.tokenExpired.push(connectionId);
        continue;
      }
      page.push(connectionId);
      if (page.length === this.pageSize) {
        yield page;
        page = [];
      }
    }
    if (page.length > 0 || page.tokenExpired) yield page;
    for (const connectionId of expired) {
      this.byConnection.get(connectionId)?.delete(topic);
      this.dropFromTopic(topic, connectionId);
    }
  }

  async topicsOf(connectionId: string): Promise<string[]> {
    const topics = this.byConnection.get(connectionId);
    if (!topics) return [];
    const nowSeconds = this.nowSeconds();
    return topics
      .entries()
      .filter(([, expiresAt]) => expiresAt > nowSeconds)
      .map(([topic]) => topic);
  }

  async listTopics(options: ListOptions): Promise<ListPage<TopicSummary>> {
    const names = new Set([...this.byTopic.keys(), ...this.history.topics()]);
    const { names: page, next } = pageOfNames(names, options);
    const nowSeconds = this.nowSeconds();
    const items = page.map((topic) => {
      let subscribers = 0;
      for (const expiresAt of this.byTopic.get(topic)?.values() ?? [])
        if (expiresAt > nowSeconds) subscribers++;
      const position = this.history.peek(topic);
      return { topic, subscribers, ...(position ? { position } : {}) };
    });
    return next === undefined ? { items } : { items, next };
  }

  async listConnections(options: ListOptions): Promise<ListPage<ConnectionSummary>> {
    const nowSeconds = this.nowSeconds();
    const live = [...this.connections.values()].filter((record) => record.expiresAt > nowSeconds);
    const { names: page, next } = pageOfNames(
      live.map((record) => record.connectionId),
      options,
    );
    const items = await Promise.all(
      page.map(async (connectionId) => {
        const { connectedAt, claims, sourceIp, userAgent } = this.connections.get(
          connectionId,
        ) as ConnectionRecord;
        const topics = (await this.topicsOf(connectionId)).sort();
        return {
          connectionId,
          connectedAt,
          topics,
          ...(claims ? { claims } : {}),
          ...(sourceIp ? { sourceIp } : {}),
          ...(userAgent ? { userAgent } : {}),
        };
      }),
    );
    return next === undefined ? { items } : { items, next };
  }

  /** Sizes for the stats endpoint and tests. */
  stats(): { connections: number; topics: number; subscriptions: number } {
    let subscriptions = 0;
    for (const topics of this.byConnection.values()) subscriptions += topics.size;
    return { connections: this.connections.size, topics: this.byTopic.size, subscriptions };
  }

  private liveConnection(connectionId: string): ConnectionRecord | undefined {
    const record = this.connections.get(connectionId);
    if (record && record.expiresAt <= this.nowSeconds()) {
      this.removeConnectionNow(connectionId);
      return undefined;
    }
    return record;
  }

  private dropFromTopic(topic: string, connectionId: string): void {
    const subscribers = this.byTopic.get(topic);
    if (!subscribers) return;
    if (subscribers.delete(connectionId)) this.sortedIds.delete(topic);
    if (subscribers.size === 0) this.byTopic.delete(topic);
  }

  private pruneExpired(connectionId: string, topics: TopicExpiries, nowSeconds: number): void {
    for (const [topic, expiresAt] of topics.entries()) {
      if (expiresAt <= nowSeconds) {
        topics.delete(topic);
        this.dropFromTopic(topic, connectionId);
      }
    }
  }

  private nowSeconds(): number {
    return Math.floor(this.now() / 1000);
  }
}

/** The index of the first id greater than `after` in an ascending array. */
function firstAbove(sorted: readonly string[], after: string): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if ((sorted[mid] as string) <= after) low = mid + 1;
    else high = mid;
  }
  return low;
}
