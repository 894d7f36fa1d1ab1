import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mapLimit } from '../../src/core/index.ts';
import { Keys } from '../../src/stores/dynamodb/keys.ts';
import { TableDesign } from '../../src/stores/dynamodb/table-design.ts';

/**
 * Writes connections and their subscriptions in the DynamoDbStore's item layout with BatchWriteItem: a
 * thousand subscribers in about a hundred requests, where the store's transactional subscribe would take
 * thousands on DynamoDB Local. For setting up measurements only; tests that use it check the result through
 * the store's own reads, so a layout change cannot go unnoticed.
 */
export async function seedSubscribers(
  client: DynamoDBClient,
  tableName: string,
  connections: ReadonlyArray<{ connectionId: string; topics: readonly string[] }>,
  expiresAt: number,
): Promise<void> {
  const items: Array<Record<string, unknown>> = [];
  for (const { connectionId, topics } of connections) {
    items.push({
      ...Keys.connection(connectionId),
      connectionId,
      connectedAt: Date.now(),
      [TableDesign.ttlAttribute]: expiresAt,
      topics: Object.fromEntries(topics.map((topic) => [topic, expiresAt])),
    });
    for (const topic of topics) {
      items.push({ ...Keys.subscription(topic, connectionId), [TableDesign.ttlAttribute]: expiresAt });
    }
  }
  const doc = DynamoDBDocumentClient.from(client);
  const chunks: Array<Array<Record<string, unknown>>> = [];
  for (let i = 0; i < items.length; i += 25) chunks.push(items.slice(i, i + 25));
  await mapLimit(chunks, 8, async (chunk) => {
    let pending = chunk.map((Item) => ({ PutRequest: { Item } }));
    while (pending.length > 0) {
      const out = await doc.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending } }));
      pending = (out.UnprocessedItems?.[tableName] ?? []) as typeof pending;
    }
  });
}
