/**
 * `topicsocket dev --store dynamodb`: the CLI as a child process on DynamoDB Local, creating its table,
 * serving real clients from it, and stopping cleanly.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { afterAll, describe, expect, it } from 'vitest';
import { createDynamoDbClient, DynamoDbStore } from '../../src/stores/dynamodb/index.ts';
import { TestClient } from '../runtimes/local/client.ts';
import { dynamoDbLocalEndpoint } from '../support/dynamodb-test-table.ts';

const children: ChildProcess[] = [];

function spawnCli(args: string[]): { child: ChildProcess; output: () => string } {
  // Without the SDK's opt-out in the environment: the CLI itself must keep the SDK's Node-version notice out.
  const { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: _optOut, ...env } = process.env;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: new URL('../..', import.meta.url),
    env: { ...env, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    text += String(chunk);
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    text += String(chunk);
  });
  return { child, output: () => text };
}

function waitForOutput(
  child: ChildProcess,
  output: () => string,
  pattern: RegExp,
): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const match = output().match(pattern);
      if (!match) return;
      child.stdout?.off('data', check);
      resolve(match);
    };
    child.stdout?.on('data', check);
    child.once('exit', (code) => reject(new Error(`exited with ${code} before ${pattern}: ${output()}`)));
    check();
  });
}

async function exitCode(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const [code] = (await once(child, 'exit')) as [number | null];
  return code;
}

describe('topicsocket dev --store dynamodb', () => {
  afterAll(() => {
    for (const child of children)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  it('creates its table on DynamoDB Local, serves subscribe/publish from it, and stops on SIGTERM', async () => {
    const endpoint = await dynamoDbLocalEndpoint();
    const table = `cli-${randomUUID().slice(0, 8)}`;
    const { child, output } = spawnCli([
      'dev',
      '--port',
      '0',
      '--store',
      'dynamodb',
      '--dynamodb-endpoint',
      endpoint,
      '--table',
      table,
    ]);
    const [, url] = (await waitForOutput(
      child,
      output,
      /WebSocket URL\s+(ws:\/\/127\.0\.0\.1:\d+)/,
    )) as RegExpMatchArray;
    await waitForOutput(child, output, /store\s+dynamodb \(table "[^"]+" at [^)]+\)/);
    expect(output()).toContain(`dynamodb (table "${table}" at ${endpoint})`);
    const reader = await TestClient.open(url as string);
    const writer = await TestClient.open(url as string);
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

    child.kill('SIGTERM');
    expect(await reader.closed).toEqual({ code: 1001, reason: 'Going away' });
    await writer.closed;
    expect(await exitCode(child)).toBe(0);
    // Shutdown ran every `$disconnect` against the table: nothing is left subscribed.
    const after: string[] = [];
    for await (const page of store.subscribers('cli')) after.push(...page);
    expect(after).toEqual([]);
    client.destroy();
    expect(output()).not.toMatch(/NodeVersionSupportWarning|AWS SDK for JavaScript/);
  });

  it('refuses --store dynamodb without an endpoint, with exit code 2', async () => {
    const { child, output } = spawnCli(['dev', '--port', '0', '--store', 'dynamodb']);
    expect(await exitCode(child)).toBe(2);
    expect(output()).toContain('--store dynamodb needs --dynamodb-endpoint URL');
  });
});
