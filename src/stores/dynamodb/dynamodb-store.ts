import {
  type AttributeValue,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type {
  ConnectionRecord,
  PresenceMember,
  Store,
  SubscribeOptions,
  SubscribeOutcome,
  SubscriberPage,
  SubscriberRange,
  SubscriberRangePage,
  SubscriberRanges,
} from '../../core/index.ts';
import { memberData } from '../../core/index.ts';
import { fullJitterDelay, sleep } from '../../core/util/backoff.ts';
import { mapLimit } from '../../core/util/map-limit.ts';
import { isPattern, type JsonValue } from '../../protocol/index.ts';
import { mergedSubscriberPage } from '../merged-pages.ts';
import { type BatchRetryOptions, batchDelete, defaultBatchRetry } from './batch-write.ts';
import { type ConnectionAttributes, readConnectionAttributes } from './connection-item.ts';
import { DynamoDbHistory } from './dynamodb-history.ts';
import { type MarkerHold, PatternMarkers } from './dynamodb-patterns.ts';
import { DynamoDbPresence } from './dynamodb-presence.ts';
import { DynamoDbShardLedger } from './dynamodb-shard-ledger.ts';
import { Keys, Names } from './keys.ts';
import { type MonotonicClock, systemMonotonicClock } from './pattern-marker-cache.ts';

export interface DynamoDbStoreOptions {
  /** A plain DynamoDB client (wrapped in a document client here) or a document client. */
  client: DynamoDBClient | DynamoDBDocumentClient;
  tableName: string;
  /** Epoch milliseconds; injectable so tests can move time past TTLs. */
  now?: () => number;
  /** Subscribers per Query page (`Limit`), which is also the unit handed to the gateway. Default 1000. */
  pageSize?: number;
  /**
   * Read a topic's subscribers with strongly consistent Queries (default true): a client that has its
   * `subscribed` ack then receives every later publish. Eventually consistent reads cost half.
   */
  consistentSubscriberReads?: boolean;
  batchRetry?: BatchRetryOptions;
  /** `close()` destroys `client` (its sockets); for stores that own their client, like the CLI's. */
  closeClient?: boolean;
  /** The per-process cache of pattern-marker reads (pattern-marker-cache.ts); injectable for tests. */
  markerCache?: { clock?: MonotonicClock; maxEntries?: number };
}

/** The connection item as read (connection-item.ts): `topics` is a Map, never a plain object. */
type ConnectionItem = ConnectionAttributes;

/** What `changeSubscription` writes: an entry set (new or refreshed) with its presence member, or removed. */
type SubscriptionChange =
  | {
      kind: 'subscribe';
      expiresAt: number;
      mode: 'new' | 'refresh';
      maxSubscriptions: number;
      tokenExpiresAt?: number;
      /** Presence: the member entry to write, or undefined to end a membership `wasMember` says exists. */
      member: PresenceMember | undefined;
      wasMember: boolean;
    }
  | { kind: 'unsubscribe'; wasMember: boolean };

/** Subscribe settles in one transaction unless it races other writes to the same connection. */
const SUBSCRIBE_ATTEMPTS = 4;

/**
 * The Store on one DynamoDB table (design and reasons: docs/dynamodb.md). Every operation is a key lookup:
 * subscribers by Query on the topic's partition, a connection's topics from the map on its own item. A
 * subscription is written in one transaction with a condition on the live connection item, so a subscribe
 * racing a disconnect either lands before the delete (and is removed by it) or fails: never an orphan.
 */
export class DynamoDbStore implements Store, SubscriberRanges {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly now: () => number;
  private readonly pageSize: number;
  private readonly consistentSubscriberReads: boolean;
  private readonly batchRetry: BatchRetryOptions;
  /** The client `close()` destroys (a document client's destroy is a no-op, so the base client is kept). */
  private readonly ownedClient: { destroy(): void } | undefined;
  /** The store's History, in the same table (docs/dynamodb.md). */
  readonly history: DynamoDbHistory;
  /** The store's shard completion markers, in the same table. */
  readonly shardLedger: DynamoDbShardLedger;
  private readonly patterns: PatternMarkers;
  /** The store's presence members and event counts, in the same table (ports/presence.ts). */
  readonly presence: DynamoDbPresence;

  constructor(options: DynamoDbStoreOptions) {
    this.client =
      options.client instanceof DynamoDBDocumentClient
        ? options.client
        : DynamoDBDocumentClient.from(options.client, {
            // Verified claims may hold integers past 2^53 (`exp: 1e16`): stored as DynamoDB numbers, not a 500.
            marshallOptions: { removeUndefinedValues: true, allowImpreciseNumbers: true },
          });
    this.tableName = options.tableName;
    this.now = options.now ?? Date.now;
    this.pageSize = options.pageSize ?? 1000;
    this.consistentSubscriberReads = options.consistentSubscriberReads ?? true;
    this.batchRetry = options.batchRetry ?? defaultBatchRetry;
    this.ownedClient = options.closeClient ? options.client : undefined;
    this.history = new DynamoDbHistory(this.client, this.tableName, this.now);
    this.shardLedger = new DynamoDbShardLedger(this.client, this.tableName, this.now);
    const nowSeconds = () => this.nowSeconds();
    this.patterns = new PatternMarkers(
      this.client,
      this.tableName,
      nowSeconds,
      this.consistentSubscriberReads,
      options.markerCache?.clock ?? systemMonotonicClock,
      options.markerCache?.maxEntries,
    );
    this.presence = new DynamoDbPresence(this.client, this.tableName, nowSeconds);
  }

  /**
   * One page of the receivers of `topic` within (after, until]: the topic's partition merged with those of
   * its live patterns (the markers from the process cache, or one BatchGetItem first), each connection once
   * (stores/merged-pages.ts).
   */
  async subscriberPage(topic: string, range: SubscriberRange, limit: number): Promise<SubscriberRangePage> {
    return this.pageOf(await this.patterns.partitionsOf(topic), range, limit);
  }

  private pageOf(partitions: readonly string[], range: SubscriberRange, limit: number) {
    return mergedSubscriberPage(partitions, (p, r, l) => this.partitionPage(p, r, l), range, limit);
  }

  /**
   * One Query page of one partition (a topic's or a pattern's) within (after, until]: `after` as the
   * ExclusiveStartKey, `until` as a sort-key condition, so shards of one topic read disjoint parts of it in
   * parallel.
   */
  private async partitionPage(
    topic: string,
    range: SubscriberRange,
    limit: number,
  ): Promise<SubscriberRangePage> {
    const until = range.until === undefined ? undefined : Keys.subscriptionSortKey(range.until);
    const nowSeconds = this.nowSeconds();
    const out = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: until === undefined ? '#pk = :pk' : '#pk = :pk AND #sk <= :until',
        FilterExpression: '#ttl > :now',
        ProjectionExpression: '#sk, #exp',
        ExpressionAttributeNames: {
          '#pk': Names['#pk'],
          '#sk': Names['#sk'],
          '#ttl': Names['#ttl'],
          '#exp': Names['#exp'],
        },
        ExpressionAttributeValues: {
          ':pk': Keys.topicPartition(topic),
          ':now': nowSeconds,
          ...(until === undefined ? {} : { ':until': until }),
        },
        Limit: limit,
        ConsistentRead: this.consistentSubscriberReads,
        ...(range.after === undefined ? {} : { ExclusiveStartKey: Keys.subscription(topic, range.after) }),
      }),
    );
    const page: SubscriberRangePage = { connectionIds: [] };
    for (const item of (out.Items ?? []) as Array<{ sk: string; exp?: number }>) {
      const connectionId = Keys.connectionIdOfSortKey(item.sk);
      // The token's expiry travels on the subscription item (see `subscribers`).
      if (item.exp !== undefined && item.exp <= nowSeconds) {
        page.tokenExpired ??= [];
        page.tokenExpired.push(connectionId);
      } else page.connectionIds.push(connectionId);
    }
    const lastKey = out.LastEvaluatedKey?.[Names['#sk']];
    // A last key equal to `until` leaves nothing in the range to read.
    if (typeof lastKey === 'string' && lastKey !== until) page.next = Keys.connectionIdOfSortKey(lastKey);
    return page;
  }

  async close(): Promise<void> {
    this.ownedClient?.destroy();
  }

  async putConnection(record: ConnectionRecord): Promise<void> {
    // An update, not a put: a repeated put must not wipe the topics map (that would orphan subscriptions).
    const set = ['#connectionId = :connectionId', '#connectedAt = :connectedAt', '#ttl = :ttl'];
    const remove: string[] = [];
    const names: Record<string, string> = {
      '#ttl': Names['#ttl'],
      '#topics': Names['#topics'],
      '#connectionId': 'connectionId',
      '#connectedAt': 'connectedAt',
    };
    const values: Record<string, unknown> = {
      ':connectionId': record.connectionId,
      ':connectedAt': record.connectedAt,
      ':ttl': record.expiresAt,
      ':empty': {},
    };
    for (const field of ['sourceIp', 'userAgent', 'claims', 'user'] as const) {
      names[`#${field}`] = field;
      if (record[field] === undefined) remove.push(`#${field}`);
      else {
        set.push(`#${field} = :${field}`);
        // `user` is kept as JSON text: it reads back exactly as the hook returned it, where a map would
        // refuse numbers beyond DynamoDB's range and lose keys such as `__proto__` (connection-item.ts).
        values[`:${field}`] = field === 'user' ? JSON.stringify(record.user) : record[field];
      }
    }
    set.push('#topics = if_not_exists(#topics, :empty)');
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: Keys.connection(record.connectionId),
        UpdateExpression: `SET ${set.join(', ')}${remove.length ? ` REMOVE ${remove.join(', ')}` : ''}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  }

  async getConnection(connectionId: string): Promise<ConnectionRecord | undefined> {
    const item = await this.liveConnectionItem(connectionId);
    return item ? connectionRecordOf(item) : undefined;
  }

  async removeConnection(connectionId: string): Promise<readonly string[]> {
    // The delete returns the topics map as it was at the instant of deletion; a subscribe transaction either
    // committed before (its topic is in this map) or fails its condition after. Both leave nothing behind.
    const out = await this.rawClient().send(
      new DeleteItemCommand({
        TableName: this.tableName,
        Key: rawKey(Keys.connection(connectionId)),
        ReturnValues: 'ALL_OLD',
      }),
    );
    const removed = readConnectionAttributes(out.Attributes);
    const topics = [...(removed?.topics.keys() ?? [])];
    const memberOf = [...(removed?.members ?? [])];
    await batchDelete(
      this.client,
      this.tableName,
      [
        ...topics.map((topic) => Keys.subscription(topic, connectionId)),
        ...memberOf.map((topic) => Keys.member(topic, connectionId)),
      ],
      this.batchRetry,
    );
    return memberOf;
  }

  /** Pattern-marker reads this store's process holds (a bounded cache; dynamodb-patterns.ts). */
  get cachedMarkers(): number {
    return this.patterns.cachedMarkers;
  }

  async subscribe(connectionId: string, topic: string, options: SubscribeOptions): Promise<SubscribeOutcome> {
    // What a pattern's new marker makes the ack wait for (dynamodb-patterns.ts); the first hold of a life is kept.
    let hold: MarkerHold | undefined;
    for (let attempt = 0; attempt < SUBSCRIBE_ATTEMPTS; attempt++) {
      // Lost a race with another write to this connection: step aside briefly before reading again.
      if (attempt > 0) await sleep(fullJitterDelay(attempt - 1, { baseDelayMs: 10, maxDelayMs: 100 }));
      const nowSeconds = this.nowSeconds();
      const item = await this.liveConnectionItem(connectionId);
      if (!item) return 'no_connection';
      const topics = item.topics;
      const held = topics.get(topic);
      if (held === undefined) {
        const entries = [...topics];
        if (entries.length >= options.maxSubscriptions) {
          const expired = entries.filter(([, expiresAt]) => expiresAt <= nowSeconds).map(([name]) => name);
          if (entries.length - expired.length >= options.maxSubscriptions) return 'limit_reached';
          await this.pruneExpired(connectionId, expired, nowSeconds);
          continue;
        }
      }
      // A subscription never outlives its connection's record, so TTL cleans both up together.
      const expiresAt = Math.min(options.expiresAt, item.ttl);
      const mode = held === undefined ? 'new' : 'refresh';
      // The marker first: a publish that finds the subscription must have found the marker (dynamodb-patterns.ts).
      if (isPattern(topic)) {
        const touched = await this.patterns.touch(topic, expiresAt);
        if (touched?.generation !== hold?.generation) hold = touched;
      }
      const member =
        options.presence && !isPattern(topic)
          ? memberData(connectionRecordOf(item), options.presence.claims)
          : undefined;
      const written = await this.changeSubscription(connectionId, topic, {
        kind: 'subscribe',
        expiresAt,
        mode,
        member,
        wasMember: item.members?.has(topic) ?? false,
        maxSubscriptions: options.maxSubscriptions,
        ...(options.tokenExpiresAt === undefined ? {} : { tokenExpiresAt: options.tokenExpiresAt }),
      });
      if (written) {
        // Before the ack: no process may still trust a cached "no marker" read from before this marker.
        if (hold) await this.patterns.settle(topic, hold);
        return held !== undefined && held > nowSeconds ? 'already_subscribed' : 'subscribed';
      }
      // The condition failed: the connection changed between the read and the write. Read again.
    }
    throw new Error(`subscribe of ${connectionId} to ${topic} kept conflicting with concurrent writes`);
  }

  async unsubscribe(connectionId: string, topic: string, onLeft?: () => void): Promise<boolean> {
    const item = await this.readConnectionItem(connectionId);
    const held = item?.topics.get(topic);
    if (held === undefined) return false;
    const member = item?.members?.has(topic) ?? false;
    // Lost: the connection was deleted meanwhile; its delete removes the subscription item.
    if (!(await this.changeSubscription(connectionId, topic, { kind: 'unsubscribe', wasMember: member }))) {
      return false;
    }
    if (member) onLeft?.();
    return held > this.nowSeconds();
  }

  /**
   * The whole topic, page after page: the range reader over the full key range (one Query per page and
   * partition; the pattern markers are read once, before the first page).
   */
  async *subscribers(topic: string): AsyncIterable<SubscriberPage> {
    const partitions = await this.patterns.partitionsOf(topic);
    let after: string | undefined;
    do {
      const page = await this.pageOf(partitions, after === undefined ? {} : { after }, this.pageSize);
      yield page.tokenExpired
        ? Object.assign(page.connectionIds, { tokenExpired: page.tokenExpired })
        : page.connectionIds;
      after = page.next;
    } while (after !== undefined);
  }

  async topicsOf(connectionId: string): Promise<string[]> {
    const item = await this.liveConnectionItem(connectionId);
    if (!item) return [];
    const nowSeconds = this.nowSeconds();
    return [...item.topics].filter(([, expiresAt]) => expiresAt > nowSeconds).map(([topic]) => topic);
  }

  /**
   * The one writer of a subscription: the connection's map entry (and its `members` set) and the subscription
   * item (and the presence member item) change in one transaction, conditioned on the connection item.
   * Subscribe sets the entry only on a live connection (a new one only below the limit); unsubscribe removes
   * it while the connection item exists. false: the condition failed or the transaction lost a race.
   */
  private async changeSubscription(
    connectionId: string,
    topic: string,
    change: SubscriptionChange,
  ): Promise<boolean> {
    const subscribe = change.kind === 'subscribe' ? change : undefined;
    const member = subscribe?.member;
    // The connection's `members` set says which member items its disconnect must delete.
    const membership = member ? 'ADD #members :member' : change.wasMember ? 'DELETE #members :member' : '';
    const live = 'attribute_exists(#pk) AND #ttl > :now';
    const condition = !subscribe
      ? 'attribute_exists(#pk)'
      : subscribe.mode === 'new'
        ? `${live} AND attribute_not_exists(#topics.#topic) AND size(#topics) < :max`
        : `${live} AND attribute_exists(#topics.#topic)`;
    const values = {
      ...(subscribe
        ? {
            ':expiresAt': subscribe.expiresAt,
            ':now': this.nowSeconds(),
            ...(subscribe.mode === 'new' ? { ':max': subscribe.maxSubscriptions } : {}),
          }
        : {}),
      ...(membership ? { ':member': new Set([topic]) } : {}),
    };
    const subscription = Keys.subscription(topic, connectionId);
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.tableName,
                Key: Keys.connection(connectionId),
                UpdateExpression: [
                  subscribe ? 'SET #topics.#topic = :expiresAt' : 'REMOVE #topics.#topic',
                  membership,
                ]
                  .filter(Boolean)
                  .join(' '),
                ConditionExpression: condition,
                ExpressionAttributeNames: {
                  '#pk': Names['#pk'],
                  ...(subscribe ? { '#ttl': Names['#ttl'] } : {}),
                  '#topics': Names['#topics'],
                  '#topic': topic,
                  ...(membership ? { '#members': Names['#members'] } : {}),
                },
                ...(Object.keys(values).length > 0 ? { ExpressionAttributeValues: values } : {}),
              },
            },
            ...(member && subscribe
              ? [
                  {
                    Put: {
                      TableName: this.tableName,
                      Item: DynamoDbPresence.item(topic, member, subscribe.expiresAt),
                    },
                  },
                ]
              : change.wasMember
                ? [{ Delete: { TableName: this.tableName, Key: Keys.member(topic, connectionId) } }]
                : []),
            subscribe
              ? {
                  Put: {
                    TableName: this.tableName,
                    Item: {
                      ...subscription,
                      [Names['#ttl']]: subscribe.expiresAt,
                      ...(subscribe.tokenExpiresAt === undefined
                        ? {}
                        : { [Names['#exp']]: subscribe.tokenExpiresAt }),
                    },
                  },
                }
              : { Delete: { TableName: this.tableName, Key: subscription } },
          ],
        }),
      );
      return true;
    } catch (error) {
      if (isLostRace(error)) return false;
      throw error;
    }
  }

  /**
   * Drops expired entries from the connection's map (only if they are still expired), then their
   * subscription items (only if not refreshed meanwhile). Runs only when the subscription limit is hit.
   */
  private async pruneExpired(
    connectionId: string,
    topics: readonly string[],
    nowSeconds: number,
  ): Promise<void> {
    if (topics.length === 0) return;
    const names: Record<string, string> = { '#pk': Names['#pk'], '#topics': Names['#topics'] };
    topics.forEach((topic, i) => {
      names[`#e${i}`] = topic;
    });
    const paths = topics.map((_, i) => `#topics.#e${i}`);
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: Keys.connection(connectionId),
          UpdateExpression: `REMOVE ${paths.join(', ')}`,
          ConditionExpression: ['attribute_exists(#pk)', ...paths.map((path) => `${path} <= :now`)].join(
            ' AND ',
          ),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: { ':now': nowSeconds },
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) return; // refreshed or disconnected meanwhile; the caller reads again
      throw error;
    }
    await mapLimit(topics, 10, async (topic) => {
      try {
        await this.client.send(
          new DeleteCommand({
            TableName: this.tableName,
            Key: Keys.subscription(topic, connectionId),
            ConditionExpression: 'attribute_not_exists(#pk) OR #ttl <= :now',
            ExpressionAttributeNames: { '#pk': Names['#pk'], '#ttl': Names['#ttl'] },
            ExpressionAttributeValues: { ':now': nowSeconds },
          }),
        );
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    });
  }

  private async liveConnectionItem(connectionId: string): Promise<ConnectionItem | undefined> {
    const item = await this.readConnectionItem(connectionId);
    return item && item.ttl > this.nowSeconds() ? item : undefined;
  }

  /** Strongly consistent: subscribe and disconnect decisions must see the latest write. */
  private async readConnectionItem(connectionId: string): Promise<ConnectionItem | undefined> {
    const out = await this.rawClient().send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: rawKey(Keys.connection(connectionId)),
        ConsistentRead: true,
      }),
    );
    return readConnectionAttributes(out.Item);
  }

  /**
   * The document client's base client (they share one middleware stack): connection items are read
   * unmarshalled by hand, because the document client turns the topics map into a plain object.
   */
  private rawClient(): DynamoDBClient {
    return this.client as unknown as DynamoDBClient;
  }

  private nowSeconds(): number {
    return Math.floor(this.now() / 1000);
  }
}

/**
 * A transaction cancelled because a condition failed or a concurrent write won: the caller reads again.
 * Other cancellations (throttling, validation) are real errors and propagate.
 */
function isLostRace(error: unknown): boolean {
  if (!(error instanceof TransactionCanceledException)) return false;
  return (error.CancellationReasons ?? []).some(
    (reason) => reason.Code === 'ConditionalCheckFailed' || reason.Code === 'TransactionConflict',
  );
}

function rawKey(key: Record<string, string>): Record<string, AttributeValue> {
  return Object.fromEntries(Object.entries(key).map(([name, value]) => [name, { S: value }]));
}

function isConditionFailure(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

/** The record a connection item holds, `user` parsed back from its JSON text (see putConnection). */
function connectionRecordOf(item: ConnectionItem): ConnectionRecord {
  return {
    connectionId: item.connectionId,
    connectedAt: item.connectedAt,
    expiresAt: item.ttl,
    ...(item.sourceIp === undefined ? {} : { sourceIp: item.sourceIp }),
    ...(item.userAgent === undefined ? {} : { userAgent: item.userAgent }),
    ...(item.claims === undefined ? {} : { claims: item.claims }),
    ...(item.user === undefined ? {} : { user: JSON.parse(item.user) as JsonValue }),
  };
}
