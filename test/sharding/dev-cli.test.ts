/**
 * `topicsocket dev` runs the sharded fan-out too: the CLI as a child process, with the threshold lowered by
 * flag (on DynamoDB Local, `--store dynamodb`) or by environment (memory store), delivering through its
 * in-process shard workers to real clients.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { FanoutEnvironment } from '../../src/core/index.ts';
import { TestClient } from '../runtimes/local/client.ts';
import {
  type CliProcess,
  dynamoDbStoreFlags,
  killCliProcesses,
  spawnCli,
  startDevCli,
} from '../support/cli-process.ts';
import { dynamoDbLocalEndpoint } from '../support/dynamodb-test-table.ts';

afterAll(killCliProcesses);

async function shardedPublish(url: string): Promise<void> {
  const readers = await Promise.all(Array.from({ length: 8 }, () => TestClient.open(url)));
  for (const reader of readers) await reader.request({ type: 'subscribe', topic: 'wide', id: 1 });
  const writer = await TestClient.open(url);
  expect(await writer.request({ type: 'publish', topic: 'wide', data: 'sharded', id: 2 })).toMatchObject({
    type: 'published',
    offset: 1,
    scheduled: true,
  });
  for (const reader of readers) {
    expect(await reader.next()).toMatchObject({ type: 'message', topic: 'wide', data: 'sharded', offset: 1 });
  }
  await Promise.all([...readers, writer].map((client) => client.close()));
}

async function stop(cli: CliProcess): Promise<number | null> {
  cli.child.kill('SIGTERM');
  return cli.exitCode();
}

describe('topicsocket dev: sharded fan-out in process', () => {
  it('--fanout-threshold sends a small topic through the workers on DynamoDB Local', async () => {
    const endpoint = await dynamoDbLocalEndpoint();
    const table = `dev-fanout-${randomUUID().slice(0, 8)}`;
    const { cli, url } = await startDevCli([
      '--port',
      '0',
      ...dynamoDbStoreFlags(endpoint, table),
      '--fanout-threshold',
      '3',
    ]);
    expect(cli.output()).toMatch(/sharded fan-out\s+above 3 subscribers/);
    await shardedPublish(url);
    expect(await stop(cli)).toBe(0);
  });

  it(`${FanoutEnvironment.threshold} does the same on the memory store`, async () => {
    const { cli, url } = await startDevCli(['--port', '0'], {
      env: { [FanoutEnvironment.threshold]: '2' },
    });
    await shardedPublish(url);
    expect(await stop(cli)).toBe(0);
  });

  it('refuses a threshold that is not a positive integer', async () => {
    const code = await spawnCli(['dev', '--fanout-threshold', 'x']).exitCode();
    expect(code).toBe(2);
  });
});
