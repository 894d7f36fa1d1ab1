import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';

/**
 * Every item of the table that belongs to a connection (its record, and its subscriptions by sort key). A
 * Scan, because a test must see rows the store's own reads would filter or never look for.
 */
export async function rowsOfConnection(
  client: DynamoDBClient,
  tableName: string,
  connectionId: string,
): Promise<Array<Record<string, unknown>>> {
  const doc = DynamoDBDocumentClient.from(client);
  const rows: Array<Record<string, unknown>> = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const out = await doc.send(
      new ScanCommand({
        TableName: tableName,
        ConsistentRead: true,
        FilterExpression: 'pk = :c OR sk = :c',
        ExpressionAttributeValues: { ':c': `C#${connectionId}` },
        ExclusiveStartKey: startKey,
      }),
    );
    rows.push(...(out.Items ?? []));
    startKey = out.LastEvaluatedKey;
  } while (startKey);
  return rows;
}
