import { randomUUID } from 'node:crypto';
import {
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbStore, ensureTable } from '../../src/stores/dynamodb/index.ts';
import { freshTable } from '../support/dynamodb-test-table.ts';
import { VirtualClock } from '../support/virtual-clock.ts';
import { describeStoreContract } from './store-contract.ts';

let table: { client: DynamoDBClient; tableName: string };

beforeAll(async () => {
  table = await freshTable('contract');
});

afterAll(() => table.client.destroy());

describeStoreContract('dynamodb', async ({ pageSize }) => {
  let clock = Date.now();
  // The marker cache's clock moves with the store's: a subscribe's wait passes at once (and moves both).
  const markerClock = new VirtualClock('auto', (ms) => {
    clock += ms;
  });
  return {
    store: new DynamoDbStore({
      client: table.client,
      tableName: table.tableName,
      now: () => clock,
      pageSize,
      markerCache: { clock: markerClock },
    }),
    advance: (ms) => markerClock.advance(ms),
    now: () => clock,
  };
});

describe('DynamoDB store specifics', () => {
  it('never lets a subscription outlive its connection record, so TTL can never leave a live orphan', async () => {
    let clock = Date.now();
    const store = new DynamoDbStore({ client: table.client, tableName: table.tableName, now: () => clock });
    const id = `short-${randomUUID()}=`;
    const topic = `t-${randomUUID()}`;
    const nowSeconds = Math.floor(clock / 1000);
    await store.putConnection({ connectionId: id, connectedAt: clock, expiresAt: nowSeconds + 60 });
    expect(await store.subscribe(id, topic, { expiresAt: nowSeconds + 3600, maxSubscriptions: 5 })).toBe(
      'subscribed',
    );
    const live: string[] = [];
    for await (const page of store.subscribers(topic)) live.push(...page);
    expect(live).toEqual([id]);
    // Past the connection's TTL (DynamoDB may already have deleted its item), the subscription is dead too.
    clock += 61_000;
    const after: string[] = [];
    for await (const page of store.subscribers(topic)) after.push(...page);
    expect(after).toEqual([]);
  });

  it('creates the table idempotently, even when asked concurrently', async () => {
    const name = `ensure-${randomUUID().slice(0, 8)}`;
    await Promise.all([ensureTable(table.client, name), ensureTable(table.client, name)]);
    await ensureTable(table.client, name);
    const description = await table.client.send(new DescribeTableCommand({ TableName: name }));
    expect(description.Table?.TableStatus).toBe('ACTIVE');
    expect(description.Table?.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    const ttl = await table.client.send(new DescribeTimeToLiveCommand({ TableName: name }));
    expect(ttl.TimeToLiveDescription).toMatchObject({ AttributeName: 'ttl', TimeToLiveStatus: 'ENABLED' });
  });
});
