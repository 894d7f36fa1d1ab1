/**
 * `topicsocket dev --store dynamodb`: the CLI as a child process on DynamoDB Local, creating its table,
 * serving real clients from it, and stopping cleanly.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { createDynamoDbClient, DynamoDbStore } from '../../src/stores/dynamodb/index.ts';
import { TestClient } from '../runtimes/local/client.ts';
import { dynamoDbStoreFlags, killCliProcesses, spawnCli, startDevCli } from '../support/cli-process.ts';
import { dynamoDbLocalEndpoint } from '../support/dynamodb-test-table.ts';

// Without the SDK's opt-out in the environment: the CLI itself must keep the SDK's Node-version notice out.
const withoutEnv = ['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'];

describe('topicsocket dev --store dynamodb', () => {
  afterAll(killCliProcesses);

  it('creates its table on DynamoDB Local, serves subscribe/publish from it, and stops on SIGTERM', async () => {
    const endpoint = await dynamoDbLocalEndpoint();
    const table = `cli-${randomUUID().slice(0, 8)}`;
    const { cli, url } = await startDevCli(['--port', '0', ...dynamoDbStoreFlags(endpoint, table)], {
      withoutEnv,
    });
    const output = cli.output;
    expect(output()).toContain(`dynamodb (table "${table}" at ${endpoint})`);
    const reader = await TestClient.open(url);
    const writer = await TestClient.open(url);
    expect(await reader.request({ type: 'subscribe', topic: 'cli', id: 1 })).toMatchObject({
      type: 'subscribed',
    });
    expect(
      await writer.request({ type: 'publish', topic: 'cli', data: 'via dynamodb', id: 2 }),
    ).toMatchObject({
      type: 'published',
    });
    expect(await reader.next()).toEqual({
      type: 'message',
      topic: 'cli',
      data: 'via dynamodb',
      offset: 1,
      epoch: expect.any(String),
    });

    // The subscription really lives in the table the CLI created.
    const client = createDynamoDbClient({ endpoint });
    const store = new DynamoDbStore({ client, tableName: table });
    const subscribers: string[] = [];
    for await (const page of store.subscribers('cli')) subscribers.push(...page);
    expect(subscribers).toHaveLength(1);

    cli.child.kill('SIGTERM');
    expect(await reader.closed).toEqual({ code: 1001, reason: 'Going away' });
    await writer.closed;
    expect(await cli.exitCode()).toBe(0);
    // Shutdown ran every `$disconnect` against the table: nothing is left subscribed.
    const after: string[] = [];
    for await (const page of store.subscribers('cli')) after.push(...page);
    expect(after).toEqual([]);
    client.destroy();
    expect(output()).not.toMatch(/NodeVersionSupportWarning|AWS SDK for JavaScript/);
  });

  it('refuses --store dynamodb without an endpoint, with exit code 2', async () => {
    const cli = spawnCli(['dev', '--port', '0', '--store', 'dynamodb'], { withoutEnv });
    expect(await cli.exitCode()).toBe(2);
    expect(cli.output()).toContain('--store dynamodb needs --dynamodb-endpoint URL');
  });
});
