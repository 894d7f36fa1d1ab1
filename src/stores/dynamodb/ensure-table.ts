import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { TableDesign } from './table-design.ts';

/**
 * Creates the table from `TableDesign` if it is missing, waits until it is ACTIVE and makes sure TTL is on.
 * For local runs and tests; deployed tables come from the CDK/Serverless templates built from the same
 * design. Safe to call concurrently: a lost creation race just waits for the winner's table.
 */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<void> {
  if (!(await tableExists(client, tableName))) {
    try {
      await client.send(new CreateTableCommand(createTableInput(tableName)));
    } catch (error) {
      if (!(error instanceof Error && error.name === 'ResourceInUseException')) throw error;
    }
  }
  await waitUntilTableExists({ client, maxWaitTime: 60, minDelay: 1, maxDelay: 2 }, { TableName: tableName });
  const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
  const status = ttl.TimeToLiveDescription?.TimeToLiveStatus;
  if (status !== 'ENABLED' && status !== 'ENABLING') {
    try {
      await client.send(
        new UpdateTimeToLiveCommand({
          TableName: tableName,
          TimeToLiveSpecification: { AttributeName: TableDesign.ttlAttribute, Enabled: true },
        }),
      );
    } catch (error) {
      // A concurrent caller enabled it between our describe and update.
      if (!(error instanceof Error && /already enabled/i.test(error.message))) throw error;
    }
  }
}

/** The CreateTable request for the design: string keys, on-demand billing, the design's indexes. */
export function createTableInput(tableName: string) {
  const keyNames = new Set<string>([TableDesign.partitionKey, TableDesign.sortKey]);
  for (const index of TableDesign.globalSecondaryIndexes) {
    keyNames.add(index.partitionKey);
    if (index.sortKey) keyNames.add(index.sortKey);
  }
  return {
    TableName: tableName,
    BillingMode: TableDesign.billingMode,
    AttributeDefinitions: [...keyNames].map((name) => ({ AttributeName: name, AttributeType: 'S' as const })),
    KeySchema: [
      { AttributeName: TableDesign.partitionKey, KeyType: 'HASH' as const },
      { AttributeName: TableDesign.sortKey, KeyType: 'RANGE' as const },
    ],
    ...(TableDesign.globalSecondaryIndexes.length
      ? {
          GlobalSecondaryIndexes: TableDesign.globalSecondaryIndexes.map((index) => ({
            IndexName: index.name,
            KeySchema: [
              { AttributeName: index.partitionKey, KeyType: 'HASH' as const },
              ...(index.sortKey ? [{ AttributeName: index.sortKey, KeyType: 'RANGE' as const }] : []),
            ],
            Projection: { ProjectionType: 'KEYS_ONLY' as const },
          })),
        }
      : {}),
  };
}

async function tableExists(client: DynamoDBClient, tableName: string): Promise<boolean> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return true;
  } catch (error) {
    if (error instanceof Error && error.name === 'ResourceNotFoundException') return false;
    throw error;
  }
}
