/**
 * For test files that use DynamoDB: the run's shared DynamoDB Local (started on first use) and a fresh
 * table per caller, so files never see each other's items.
 */
import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { inject } from 'vitest';
import { createDynamoDbClient, ensureTable } from '../../src/stores/dynamodb/index.ts';
import { sharedDynamoDbLocal } from './dynamodb-local.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** State directory of the run's shared DynamoDB Local (test/support/dynamodb-local.ts). */
    dynamoDbLocalDir: string;
  }
}

let ready: Promise<string> | undefined;

/** The run's DynamoDB Local endpoint, once it answers (the first caller of the run starts it). */
export function dynamoDbLocalEndpoint(): Promise<string> {
  ready ??= sharedDynamoDbLocal(inject('dynamoDbLocalDir'));
  return ready;
}

/** A new client and a new, empty table on DynamoDB Local. */
export async function freshTable(
  label: string,
): Promise<{ client: DynamoDBClient; tableName: string; endpoint: string }> {
  const endpoint = await dynamoDbLocalEndpoint();
  const client = createDynamoDbClient({ endpoint });
  const tableName = `${label}-${randomUUID().slice(0, 8)}`;
  await ensureTable(client, tableName);
  return { client, tableName, endpoint };
}
