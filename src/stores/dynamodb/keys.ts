import { TableDesign } from './table-design.ts';

/**
 * Key layout of the single table (docs/dynamodb.md):
 * - connection item:   pk = C#<connectionId>, sk = C
 * - subscription item: pk = T#<topic>,        sk = C#<connectionId>
 * One Query on `T#<topic>` lists a topic's subscribers; one GetItem on `C#<id>` gives a connection's topics.
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
  /** The connection id held in a subscription item's sort key. */
  connectionIdOfSortKey: (sortKey: string) => sortKey.slice(2),
} as const;

function topicPartition(topic: string): string {
  return `T#${topic}`;
}

/** Attribute-name placeholders every expression uses, so reserved words (`ttl` is one) never bite. */
export const Names = {
  '#pk': TableDesign.partitionKey,
  '#sk': TableDesign.sortKey,
  '#ttl': TableDesign.ttlAttribute,
  '#topics': 'topics',
} as const;
