/**
 * Two local servers on one DynamoDB table (issue 17): a publish on one must not remove the other's live
 * subscribers as "gone". Each server only reports `gone` for connection ids it issued itself.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalServer, startLocalServer } from '../../../src/runtimes/local/index.ts';
import { DynamoDbStore } from '../../../src/stores/dynamodb/index.ts';
import { Probe } from '../../security/support/probe.ts';
import { freshTable } from '../../support/dynamodb-test-table.ts';

describe('two local servers sharing one DynamoDB table', () => {
  let table: { client: DynamoDBClient; tableName: string };
  const servers: LocalServer[] = [];
  const probes: Probe[] = [];

  beforeAll(async () => {
    table = await freshTable('two-servers');
    for (let n = 0; n < 2; n++) {
      const store = new DynamoDbStore({ client: table.client, tableName: table.tableName });
      servers.push(await startLocalServer({ port: 0, store, console: false, publishApi: false }));
    }
  });

  afterAll(async () => {
    await Promise.all(probes.map((probe) => probe.close()));
    await Promise.all(servers.map((server) => server.close()));
    table?.client.destroy();
  });

  it("does not remove the other server's live subscribers when publishing", async () => {
    const [a, b] = servers as [LocalServer, LocalServer];
    const onB = await Probe.open(b.url);
    probes.push(onB);
    await onB.request({ type: 'subscribe', topic: 'shared', id: 1 });

    const fromA = await a.broker?.publish('shared', 'from A');
    // Not reachable from A (it is B's socket), counted as failed, but alive: not gone.
    expect(fromA).toMatchObject({ delivered: 0, gone: 0, failed: 1 });
    const fromB = await b.broker?.publish('shared', 'from B');
    expect(fromB).toMatchObject({ delivered: 1, gone: 0 });
    expect((await onB.waitFor((frame) => frame.type === 'message')).data).toBe('from B');
  });
});
