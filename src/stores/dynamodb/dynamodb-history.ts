import { randomUUID } from 'node:crypto';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  type AppendOptions,
  type AppendResult,
  defaultBrokerLimits,
  type History,
  type HistoryPage,
  type LatestOptions,
  type ReadOptions,
  type StoredMessage,
} from '../../core/index.ts';
import { sleep } from '../../core/util/backoff.ts';
import type { JsonValue, StreamPosition } from '../../protocol/index.ts';
import { newEpoch } from '../epoch.ts';
import { Keys, Names } from './keys.ts';

/** A claimed idempotency key whose publish has not finished after this long is taken over by a retry. */
const STALE_CLAIM_MS = 30_000;
/** How long a duplicate waits for the first publish with its key to get its offset. */
const DUPLICATE_WAIT_MS = 2_000;
/** A hole at the start of a replay may be a publish between its counter and its put: look once more. */
const IN_FLIGHT_RECHECK_MS = 25;
/**
 * The longest a publish can hold an offset before its message is written: above the Lambda timeouts
 * (29-30 s, deploy/model) that end an invocation, and the DynamoDB client's retries (3 attempts of at most
 * 10 s, client.ts) of the counter and then of the put. The message before a hole must have at least this
 * long left to live for the hole to be told apart from expired messages (see `holesAfter`).
 */
const MAX_APPEND_SECONDS = 120;

/**
 * A meta item made by a read (position of a topic nobody published to) lives this long, refreshed by reads
 * in its second half: as long as a connection that read it can live. The first append makes it permanent.
 */
const READ_META_TTL_SECONDS = defaultBrokerLimits.recordTtlSeconds;

interface MetaItem {
  epoch: string;
  top: number;
  /** Only on meta items no append has touched yet. */
  ttl?: number;
}

interface MessageItem {
  sk: string;
  d: string;
}

interface KeyItem {
  offset?: number;
  epoch?: string;
}

const NAMES = {
  '#pk': Names['#pk'],
  '#sk': Names['#sk'],
  '#ttl': Names['#ttl'],
  '#epoch': 'epoch',
  '#top': 'top',
} as const;

/**
 * History on the single table (docs/dynamodb.md, docs/history.md). Per publish: one UpdateItem ADD on the
 * topic's meta item (the counter, returning the new offset) and one PutItem of the message with a TTL; with
 * an idempotency key, a conditional PutItem claiming the key and an UpdateItem recording its offset. Reads are
 * strongly consistent Queries on the topic's history partition, filtered on `ttl > now`.
 */
export class DynamoDbHistory implements History {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly now: () => number,
  ) {}

  async append(topic: string, data: JsonValue, options: AppendOptions): Promise<AppendResult> {
    const { retention, idempotencyKey } = options;
    let claim: string | undefined;
    if (idempotencyKey !== undefined) {
      claim = randomUUID();
      const earlier = await this.claim(topic, idempotencyKey, retention.maxAgeSeconds, claim);
      if (earlier) return { ...earlier, duplicate: true };
    }
    try {
      const position = await this.nextOffset(topic);
      const message = {
        TableName: this.tableName,
        Item: {
          ...Keys.historyMessage(topic, position.offset),
          d: options.json ?? JSON.stringify(data),
          [Names['#ttl']]: this.nowSeconds() + retention.maxAgeSeconds,
        },
      };
      if (idempotencyKey === undefined) {
        await this.client.send(new PutCommand(message));
      } else {
        // The message and its key's offset in one transaction: a crash can never leave the message stored
        // with its key still unresolved, which a retry would then store again under a second offset.
        await this.client.send(
          new TransactWriteCommand({
            TransactItems: [
              { Put: message },
              {
                Update: {
                  TableName: this.tableName,
                  Key: Keys.idempotencyKey(topic, idempotencyKey),
                  UpdateExpression: 'SET #offset = :offset, #epoch = :epoch',
                  ConditionExpression: '#claim = :claim',
                  ExpressionAttributeNames: { '#offset': 'offset', '#epoch': 'epoch', '#claim': 'claim' },
                  ExpressionAttributeValues: {
                    ':offset': position.offset,
                    ':epoch': position.epoch,
                    ':claim': claim,
                  },
                },
              },
            ],
          }),
        );
      }
      return { ...position, duplicate: false };
    } catch (error) {
      // The message is not stored: free the key (if still ours) so the caller's retry can publish it.
      if (idempotencyKey !== undefined) {
        await this.release(topic, idempotencyKey, claim as string).catch(() => {});
      }
      throw error;
    }
  }

  async position(topic: string): Promise<StreamPosition> {
    const meta = await this.readMeta(topic);
    const nowSeconds = this.nowSeconds();
    if (meta && (meta.ttl === undefined || meta.ttl - nowSeconds > READ_META_TTL_SECONDS / 2)) {
      return { epoch: meta.epoch, offset: meta.top };
    }
    // No meta yet, or one made by reads whose TTL runs out: reads alone never make a permanent item (a
    // topic nobody publishes to leaves nothing behind); the first append removes the TTL.
    try {
      const out = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: Keys.historyMeta(topic),
          UpdateExpression:
            'SET #epoch = if_not_exists(#epoch, :epoch), #top = if_not_exists(#top, :zero), #ttl = :ttl',
          ConditionExpression: 'attribute_not_exists(#top) OR attribute_exists(#ttl)',
          ExpressionAttributeNames: {
            '#epoch': NAMES['#epoch'],
            '#top': NAMES['#top'],
            '#ttl': NAMES['#ttl'],
          },
          ExpressionAttributeValues: {
            ':epoch': newEpoch(),
            ':zero': 0,
            ':ttl': nowSeconds + READ_META_TTL_SECONDS,
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      const created = out.Attributes as MetaItem;
      return { epoch: created.epoch, offset: created.top };
    } catch (error) {
      if (!(error instanceof Error && error.name === 'ConditionalCheckFailedException')) throw error;
      // An append made it permanent meanwhile.
      const now = (await this.readMeta(topic)) as MetaItem;
      return { epoch: now.epoch, offset: now.top };
    }
  }

  async latest(topic: string, options: LatestOptions): Promise<HistoryPage> {
    const meta = await this.readMeta(topic);
    if (!meta) return { epoch: '', top: 0, oldest: 1, messages: [] };
    const floor = Math.max(0, meta.top - options.retention.maxMessages);
    const newestFirst: StoredMessage[] = [];
    let bytes = 0;
    let pageLimit = 1;
    let startKey: Record<string, unknown> | undefined;
    // Newest first, in pages sized from the messages seen so far, stopping at `maxBytes`: the cost of a
    // request is about one answer's worth of reads whatever the messages' size (first page: one message).
    while (newestFirst.length < options.limit && bytes < options.maxBytes) {
      const out = await this.queryPage(topic, {
        from: floor + 1,
        to: meta.top,
        limit: pageLimit,
        startKey,
        newestFirst: true,
      });
      const items = (out.Items ?? []) as MessageItem[];
      for (const item of items) {
        newestFirst.push({ offset: Number(item.sk.slice(2)), data: JSON.parse(item.d) as JsonValue });
        bytes += item.d.length;
        if (bytes >= options.maxBytes || newestFirst.length >= options.limit) break;
      }
      startKey = out.LastEvaluatedKey;
      // An expired message means every older one expired too (TTLs grow with offsets): stop paying for them.
      if (!startKey || items.length < (out.ScannedCount ?? 0)) break;
      const average = bytes / Math.max(1, newestFirst.length);
      const wanted = Math.ceil((options.maxBytes - bytes) / Math.max(1, average));
      pageLimit = Math.max(1, Math.min(options.limit - newestFirst.length, wanted));
    }
    const messages = newestFirst.reverse();
    return { epoch: meta.epoch, top: meta.top, oldest: messages[0]?.offset ?? meta.top + 1, messages };
  }

  async read(topic: string, after: number, options: ReadOptions): Promise<HistoryPage> {
    const { epoch, offset: top } = await this.position(topic);
    // Offsets at or below top - maxMessages are out of the window even if their items still exist.
    const floor = Math.max(after, top - options.retention.maxMessages);
    let messages = await this.query(topic, floor, options.limit);
    const missing = () => floor < top && (messages[0]?.offset ?? top + 1) > floor + 1;
    if (missing() && floor === after && (await this.holesAfter(topic, after))) {
      // No message was ever stored under the offsets before the first one found (or one is being stored:
      // its fan-out, which reads the subscribers after its put, reaches a subscription stored before this
      // read). Nothing after `after` is lost: history reaches back to it.
      return { epoch, top, oldest: after + 1, messages };
    }
    if (missing()) {
      // Either the next offsets expired, or a publish holds them between its counter and its put.
      await sleep(IN_FLIGHT_RECHECK_MS);
      messages = await this.query(topic, floor, options.limit);
    }
    // The first live offset past the window's floor; a replay after `after` is complete iff it is after + 1.
    const oldest = messages[0]?.offset ?? top + 1;
    return { epoch, top, oldest, messages };
  }

  /**
   * Whether offsets missing right after `after` are holes rather than expired messages. A hole is an offset
   * whose publish took the counter and then died before its put (kill -9, a Lambda timeout), or an ADD the
   * SDK retried after a lost response; no message ever carries it. Expired messages are told apart by the
   * message at `after`: the offsets after it were taken later, so their messages (had they been written)
   * expire after it, less the time its own publish took between counter and put (under MAX_APPEND_SECONDS).
   * So while it has more than that left to live, nothing after it can have expired. A consistent GetItem of
   * one item, only on this path (1 RCU per 4 KB of that message).
   */
  private async holesAfter(topic: string, after: number): Promise<boolean> {
    if (after < 1) return false; // no message before offset 1: the conservative answer (recovered: false)
    const out = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: Keys.historyMessage(topic, after),
        ProjectionExpression: '#ttl',
        ExpressionAttributeNames: { '#ttl': NAMES['#ttl'] },
        ConsistentRead: true,
      }),
    );
    const ttl = (out.Item as { [key: string]: unknown } | undefined)?.[Names['#ttl']];
    return typeof ttl === 'number' && ttl - this.nowSeconds() > MAX_APPEND_SECONDS;
  }

  /** Live messages with offset > `after`, ascending, at most `limit`; pages past filtered-out items. */
  private async query(topic: string, after: number, limit: number): Promise<StoredMessage[]> {
    const messages: StoredMessage[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const out = await this.queryPage(topic, {
        from: after + 1,
        to: Number.MAX_SAFE_INTEGER,
        limit: limit - messages.length,
        startKey,
        newestFirst: false,
      });
      for (const item of (out.Items ?? []) as MessageItem[]) {
        messages.push({ offset: Number(item.sk.slice(2)), data: JSON.parse(item.d) as JsonValue });
      }
      startKey = out.LastEvaluatedKey;
    } while (startKey && messages.length < limit);
    return messages;
  }

  /** One strongly consistent page of live message items with offsets in [from, to]. */
  private queryPage(
    topic: string,
    page: {
      from: number;
      to: number;
      limit: number;
      startKey: Record<string, unknown> | undefined;
      newestFirst: boolean;
    },
  ) {
    return this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
        // TTL deletion is lazy (and DynamoDB Local never deletes): filter at read time.
        FilterExpression: '#ttl > :now',
        ProjectionExpression: '#sk, d',
        ExpressionAttributeNames: { '#pk': NAMES['#pk'], '#sk': NAMES['#sk'], '#ttl': NAMES['#ttl'] },
        ExpressionAttributeValues: {
          ':pk': Keys.historyPartition(topic),
          ':from': Keys.messageSortKey(page.from),
          ':to': Keys.messageSortKey(page.to),
          ':now': this.nowSeconds(),
        },
        ScanIndexForward: !page.newestFirst,
        ConsistentRead: true,
        Limit: page.limit,
        ExclusiveStartKey: page.startKey,
      }),
    );
  }

  /** ADD on the meta item: atomic, returns the new top. The epoch is set by the first write to the topic. */
  private async nextOffset(topic: string): Promise<StreamPosition> {
    const out = await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: Keys.historyMeta(topic),
        // REMOVE: a meta item made by reads had a TTL; once published to, the topic's position is permanent.
        UpdateExpression: 'SET #epoch = if_not_exists(#epoch, :epoch) REMOVE #ttl ADD #top :one',
        ExpressionAttributeNames: { '#epoch': NAMES['#epoch'], '#top': NAMES['#top'], '#ttl': NAMES['#ttl'] },
        ExpressionAttributeValues: { ':epoch': newEpoch(), ':one': 1 },
        ReturnValues: 'ALL_NEW',
      }),
    );
    const meta = out.Attributes as MetaItem;
    return { epoch: meta.epoch, offset: meta.top };
  }

  /**
   * Claims an idempotency key with a conditional put. Returns undefined when this caller owns it (publish
   * now), or the earlier publish's position when the key was already used.
   */
  private async claim(
    topic: string,
    key: string,
    maxAgeSeconds: number,
    claim: string,
  ): Promise<StreamPosition | undefined> {
    const deadline = this.now() + DUPLICATE_WAIT_MS;
    for (;;) {
      const nowMs = this.now();
      try {
        await this.client.send(
          new PutCommand({
            TableName: this.tableName,
            Item: {
              ...Keys.idempotencyKey(topic, key),
              claimedAt: nowMs,
              claim,
              [Names['#ttl']]: Math.floor(nowMs / 1000) + maxAgeSeconds,
            },
            // Free, expired, or claimed by a publish that died before recording its offset.
            ConditionExpression:
              'attribute_not_exists(#pk) OR #ttl <= :now OR (attribute_not_exists(#offset) AND #claimedAt < :stale)',
            ExpressionAttributeNames: {
              '#pk': NAMES['#pk'],
              '#ttl': NAMES['#ttl'],
              '#offset': 'offset',
              '#claimedAt': 'claimedAt',
            },
            ExpressionAttributeValues: { ':now': Math.floor(nowMs / 1000), ':stale': nowMs - STALE_CLAIM_MS },
          }),
        );
        return undefined;
      } catch (error) {
        if (!(error instanceof Error && error.name === 'ConditionalCheckFailedException')) throw error;
      }
      const out = await this.client.send(
        new GetCommand({
          TableName: this.tableName,
          Key: Keys.idempotencyKey(topic, key),
          ConsistentRead: true,
        }),
      );
      const item = out.Item as KeyItem | undefined;
      if (item?.offset !== undefined && item.epoch !== undefined) {
        return { epoch: item.epoch, offset: item.offset };
      }
      // The first publish with this key is still running (or its claim just vanished): wait, then look again.
      if (this.now() > deadline) {
        throw new Error(`a publish with this idempotency key on ${topic} is still in progress`);
      }
      await sleep(20);
    }
  }

  private async release(topic: string, key: string, claim: string): Promise<void> {
    await this.client.send(
      new DeleteCommand({
        TableName: this.tableName,
        Key: Keys.idempotencyKey(topic, key),
        ConditionExpression: 'attribute_not_exists(#offset) AND #claim = :claim',
        ExpressionAttributeNames: { '#offset': 'offset', '#claim': 'claim' },
        ExpressionAttributeValues: { ':claim': claim },
      }),
    );
  }

  /** The topic's meta, unless it was made by reads only and its TTL has passed (DynamoDB deletes lazily). */
  private async readMeta(topic: string): Promise<MetaItem | undefined> {
    const out = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: Keys.historyMeta(topic), ConsistentRead: true }),
    );
    const meta = out.Item as MetaItem | undefined;
    if (meta?.ttl !== undefined && meta.ttl <= this.nowSeconds()) return undefined;
    return meta;
  }

  private nowSeconds(): number {
    return Math.floor(this.now() / 1000);
  }
}
