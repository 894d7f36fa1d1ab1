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
} as const;
