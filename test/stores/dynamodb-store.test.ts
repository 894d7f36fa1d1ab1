import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll } from 'vitest';
import { DynamoDbStore } from '../../src/stores/dynamodb/index.ts';
import { freshTable } from '../support/dynamodb-test-table.ts';
import { describeStoreContract } from './store-contract.ts';

let table: { client: DynamoDBClient; tableName: string };

beforeAll(async () => {
  table = await freshTable('contract');
});

afterAll(() => table.client.destroy());

describeStoreContract('dynamodb', async ({ pageSize }) => {
  let clock = Date.now();
  return {
    store: new DynamoDbStore({
      client: table.client,
      tableName: table.tableName,
      now: () => clock,
      pageSize,
    }),
    advance: (ms) => {
      clock += ms;
    },
    now: () => clock,
  };
});
