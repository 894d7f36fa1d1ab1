/**
 * `topicsocket dev` runs the sharded fan-out too: the CLI as a child process, with the threshold lowered by
 * flag (on DynamoDB Local, `--store dynamodb`) or by environment (memory store), delivering through its
 * in-process shard workers to real clients.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { afterAll, describe, expect, it } from 'vitest';
import { FanoutEnvironment } from '../../src/core/index.ts';
import { TestClient } from '../runtimes/local/client.ts';
import { dynamoDbLocalEndpoint } from '../support/dynamodb-test-table.ts';

const children: ChildProcess[] = [];

afterAll(() => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

async function startCli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/cli/main.ts', 'dev', '--port', '0', ...args],
    {
      cwd: new URL('../..', import.meta.url),
      env: { ...process.env, LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  children.push(child);
  let text = '';
  const url = await new Promise<string>((resolve, reject) => {
    const check = (chunk?: Buffer) => {
      if (chunk) text += String(chunk);
      const match = text.match(/WebSocket URL\s+(ws:\/\/127\.0\.0\.1:\d+)/);
      if (match && text.includes('Press Ctrl-C')) resolve(match[1] as string);
    };
    child.stdout?.on('data', check);
    child.stderr?.on('data', (chunk: Buffer) => {
      text += String(chunk);
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code}: ${text}`)));
  });
  return { child, url, output: () => text };
}

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

async function stop(child: ChildProcess): Promise<number | null> {
  child.kill('SIGTERM');
  if (child.exitCode !== null) return child.exitCode;
  const [code] = (await once(child, 'exit')) as [number | null];
  return code;
}

describe('topicsocket dev: sharded fan-out in process', () => {
  it('--fanout-threshold sends a small topic through the workers on DynamoDB Local', async () => {
    const endpoint = await dynamoDbLocalEndpoint();
    const table = `dev-fanout-${randomUUID().slice(0, 8)}`;
    const { child, url, output } = await startCli([
      '--store',
      'dynamodb',
      '--dynamodb-endpoint',
      endpoint,
      '--table',
      table,
      '--fanout-threshold',
      '3',
    ]);
    expect(output()).toMatch(/sharded fan-out\s+above 3 subscribers/);
    await shardedPublish(url);
    expect(await stop(child)).toBe(0);
  });

  it(`${FanoutEnvironment.threshold} does the same on the memory store`, async () => {
    const { child, url } = await startCli([], { [FanoutEnvironment.threshold]: '2' });
    await shardedPublish(url);
    expect(await stop(child)).toBe(0);
  });

  it('refuses a threshold that is not a positive integer', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', 'dev', '--fanout-threshold', 'x'],
      {
        cwd: new URL('../..', import.meta.url),
        stdio: 'ignore',
      },
    );
    children.push(child);
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(2);
  });
});
