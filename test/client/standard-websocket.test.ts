import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JwtVerifier } from '../../src/core/auth/index.ts';
import { startLocalServer } from '../../src/runtimes/local/index.ts';
import { SECRET } from '../security/support/tokens.ts';
import { LineChild } from './support/line-child.ts';
import { startTestServer, subscribersOf, type TestServer } from './support/servers.ts';

/**
 * Runs the minified browser bundle in a separate Node process that has the standard (WHATWG) global
 * WebSocket and no `ws`: the API browsers give the SDK (on* handlers, no `terminate()`).
 */
const CHILD = `
import { createClient } from './topicsocket-client.min.js';
const print = (line) => process.stdout.write(JSON.stringify(line) + '\\n');
const client = createClient({ url: process.argv[2], reconnect: { minDelayMs: 20, maxDelayMs: 200 } });
client.on('state', (change) => print({ event: 'state', ...change }));
client.on('subscribed', (event) => print({ event: 'subscribed', ...event }));
client.subscribe('standard', (message) => print({ event: 'message', data: message.data }));
let input = '';
process.stdin.on('data', async (chunk) => {
  input += chunk;
  let end;
  while ((end = input.indexOf('\\n')) >= 0) {
    const command = JSON.parse(input.slice(0, end));
    input = input.slice(end + 1);
    if ('publish' in command) print({ event: 'published', ...(await client.publish('standard', command.publish)) });
    if (command.close) {
      await client.close();
      print({ event: 'closed', state: client.state });
    }
  }
});
`;

describe('the browser bundle on a standard WebSocket', () => {
  let test: TestServer;
  let dir: string;

  beforeAll(async () => {
    test = await startTestServer();
    dir = await mkdtemp(join(tmpdir(), 'topicsocket-client-'));
    await build({
      entryPoints: ['src/client/index.ts'],
      bundle: true,
      minify: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      outfile: join(dir, 'topicsocket-client.min.js'),
      logLevel: 'silent',
    });
    await writeFile(join(dir, 'child.mjs'), CHILD);
  });

  afterAll(async () => {
    await test.server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('subscribes, publishes, survives a server-side close and closes cleanly', async () => {
    const child = new LineChild(
      process.execPath,
      ['--experimental-websocket', 'child.mjs', test.server.url],
      dir,
    );
    try {
      await child.next((line) => line.event === 'subscribed' && line.resubscribed === false);
      child.send({ publish: 1 });
      expect(await child.next((line) => line.event === 'message')).toEqual({ event: 'message', data: 1 });

      const [connectionId] = await subscribersOf(test.store, 'standard');
      const response = await fetch(
        `${test.server.managementEndpoint}/@connections/${encodeURIComponent(connectionId as string)}`,
        { method: 'DELETE' },
      );
      expect(response.status).toBe(204);
      expect(
        await child.next((line) => line.event === 'state' && line.state === 'reconnecting'),
      ).toMatchObject({
        code: 1000,
      });
      await child.next((line) => line.event === 'subscribed' && line.resubscribed === true);
      child.send({ publish: 2 });
      expect(await child.next((line) => line.event === 'message')).toEqual({ event: 'message', data: 2 });

      child.send({ close: true });
      expect(await child.next((line) => line.event === 'closed')).toEqual({
        event: 'closed',
        state: 'closed',
      });
      // Nothing of the client keeps the child alive once stdin ends.
      expect(await child.stop()).toBe(0);
      expect(test.server.connections()).toBe(0);
    } finally {
      await child.stop();
    }
  });

  it('sees a refused handshake (401) only as connect_failed with code 1006: the status is hidden', async () => {
    const guarded = await startLocalServer({
      port: 0,
      console: false,
      publishApi: false,
      auth: { mode: 'required', verifier: new JwtVerifier({ secret: SECRET }) },
    });
    const child = new LineChild(
      process.execPath,
      ['--experimental-websocket', 'child.mjs', `${guarded.url}/?token=bad`],
      dir,
    );
    try {
      const change = await child.next((line) => line.event === 'state' && line.error !== undefined);
      // What browsers give the SDK too: no status, so it cannot tell a refusal from a network failure and
      // keeps retrying (docs/client.md, "Connect refusals").
      expect(change).toMatchObject({ state: 'connecting', code: 1006, error: { code: 'connect_failed' } });
      expect(change.error).not.toHaveProperty('status');
    } finally {
      await child.stop();
      await guarded.close();
    }
  });
});
