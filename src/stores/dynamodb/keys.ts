import { createHash } from 'node:crypto';
import { TableDesign } from './table-design.ts';

/**
 * Key layout of the single table (docs/dynamodb.md):
 * - connection item:   pk = C#<connectionId>, sk = C
 * - subscription item: pk = T#<topic>,        sk = C#<connectionId>
 * - history meta item: pk = H#<topic>,        sk = M            (epoch, top offset; no TTL: outlives messages)
 * - history message:   pk = H#<topic>,        sk = O#<offset, 16 digits>   (TTL)
 * - idempotency key:   pk = H#<topic>,        sk = K#<sha-256 of the scoped key, base64url>   (TTL)
 * - fan-out shard done: pk = F#<shardId>,      sk = F            (TTL; src/core/sharding)
 * - pattern subscription: pk = T#<pattern>,    sk = C#<connectionId>   (`orders/*`: no topic holds a `*`)
 * - pattern marker:    pk = W#<pattern>,       sk = W            (TTL: the latest of its subscriptions')
 * - presence member:   pk = P#<topic>,         sk = C#<connectionId>   (TTL, the member's data as JSON)
 * - presence events:   pk = R#<topic>,         sk = R#<window start, epoch seconds>   (TTL; a counter)
 * One Query on `T#<topic>` lists a topic's subscribers; one GetItem on `C#<id>` gives a connection's topics;
 * one Query on `H#<topic>` between two `O#` keys reads history after an offset.
 */
export const Keys = {
  connection: (connectionId: string) => ({
    [TableDesign.partitionKey]: `C#${connectionId}`,
    [TableDesign.sortKey]: 'C',
  }),
  subscription: (topic: string, connectionId: string) => ({
    [TableDesign.partitionKey]: topicPartition(topic),
    [TableDesign.sortKey]: `C#${connectionId}`,
  }),
  topicPartition,
  historyMeta: (topic: string) => ({
    [TableDesign.partitionKey]: historyPartition(topic),
    [TableDesign.sortKey]: 'M',
  }),
  historyMessage: (topic: string, offset: number) => ({
    [TableDesign.partitionKey]: historyPartition(topic),
    [TableDesign.sortKey]: messageSortKey(offset),
  }),
  idempotencyKey: (topic: string, key: string) => ({
    [TableDesign.partitionKey]: historyPartition(topic),
    // Hashed: a scoped key (caller identity + the client's key) can be far longer than the 1,024 bytes a
    // sort key may hold. UTF-16 units are hashed, so no two distinct strings share a key.
    [TableDesign.sortKey]: `K#${createHash('sha256').update(key, 'utf16le').digest('base64url')}`,
  }),
  shardMarker: (shardId: string) => ({
    [TableDesign.partitionKey]: `F#${shardId}`,
    [TableDesign.sortKey]: 'F',
  }),
  /** Exists (unexpired) while the pattern may have live subscribers: what a publish reads before Querying it. */
  patternMarker: (pattern: string) => ({
    [TableDesign.partitionKey]: `W#${pattern}`,
    [TableDesign.sortKey]: 'W',
  }),
  member: (topic: string, connectionId: string) => ({
    [TableDesign.partitionKey]: memberPartition(topic),
    [TableDesign.sortKey]: `C#${connectionId}`,
  }),
  memberPartition,
  presenceEvents: (topic: string, windowStart: number) => ({
    [TableDesign.partitionKey]: `R#${topic}`,
    [TableDesign.sortKey]: `R#${windowStart}`,
  }),
  historyPartition,
  messageSortKey,
  /** A subscription item's sort key for a connection id (the bound of a subscriber range). */
  subscriptionSortKey: (connectionId: string) => `C#${connectionId}`,
  /** The connection id held in a subscription item's sort key. */
  connectionIdOfSortKey: (sortKey: string) => sortKey.slice(2),
} as const;

function topicPartition(topic: string): string {
  return `T#${topic}`;
}

function memberPartition(topic: string): string {
  return `P#${topic}`;
}

function historyPartition(topic: string): string {
  return `H#${topic}`;
}

/** Zero-padded so string order is offset order (16 digits hold every safe integer). */
function messageSortKey(offset: number): string {
  return `O#${String(offset).padStart(16, '0')}`;
}

/** Attribute-name placeholders every expression uses, so reserved words (`ttl` is one) never bite. */
export const Names = {
  '#pk': TableDesign.partitionKey,
  '#sk': TableDesign.sortKey,
  '#ttl': TableDesign.ttlAttribute,
  '#topics': 'topics',
  /** On subscription items: the connection's token expiry (epoch seconds), read by the fan-out. */
  '#exp': 'exp',
  /** On connection items: a string set of the topics the connection is a presence member of. */
  '#members': 'members',
  /** On member items: the member's data (user, selected claims) as JSON text. */
  '#m': 'm',
} as const;
