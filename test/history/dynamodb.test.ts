import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll } from 'vitest';
import { DynamoDbStore } from '../../src/stores/dynamodb/index.ts';
import { freshTable } from '../support/dynamodb-test-table.ts';
import { describeRecovery } from './recovery-suite.ts';

let table: { client: DynamoDBClient; tableName: string };

beforeAll(async () => {
  table = await freshTable('history');
});

afterAll(() => table.client.destroy());

// Every open() is a new store instance on the same DynamoDB Local table: a restarted server (or a new Lambda
// container) that finds the topics' history where the previous one left it.
// A reset stands for a recreated table: later stores use a new, empty one.
describeRecovery('DynamoDB Local', {
  open: async () => new DynamoDbStore({ client: table.client, tableName: table.tableName }),
  reset: async () => {
    table.client.destroy();
    table = await freshTable('history');
  },
});
