/**
 * Every CLI failure a user can cause is one line that says what to do, with a non-zero exit: in process,
 * against real servers (and a port nothing listens on).
 */
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.ts';
import { JwtVerifier } from '../../src/core/auth/index.ts';
import { type LocalServer, startLocalServer } from '../../src/runtimes/local/index.ts';
import { Clients } from '../client/support/clients.ts';
import { SECRET } from '../security/support/tokens.ts';
import { closedPort, recordingIo } from '../support/cli-in-process.ts';

/** Runs a command that must fail; returns its exit code and its one line. */
async function failing(argv: string[], env: Record<string, string> = {}) {
  const cli = recordingIo(env);
  const code = await runCli(argv, cli.io);
  expect(cli.err).toHaveLength(1);
  expect(cli.err[0]).not.toContain('\n');
  expect(cli.err[0]).not.toMatch(/\n\s+at /);
  return { code, line: cli.err[0] as string };
}

describe('CLI failures: one line with the fix, non-zero exit', () => {
  let guarded: LocalServer;
  let plain: LocalServer;
  let port: number;

  beforeAll(async () => {
    guarded = await startLocalServer({
      port: 0,
      console: false,
      auth: { mode: 'required', verifier: new JwtVerifier({ secret: SECRET }) },
      publishApi: { auth: { apiKeys: ['cli-failures-key-0001'] } },
    });
    plain = await startLocalServer({ port: 0, console: false, publishApi: false });
    port = await closedPort();
  });
  afterAll(async () => {
    await guarded.close();
    await plain.close();
  });

  it('dev on a port in use (EADDRINUSE)', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const busy = (taken.address() as { port: number }).port;
    try {
      expect(await failing(['dev', '--port', String(busy)])).toEqual({
        code: 1,
        line: `topicsocket dev: port ${busy} on 127.0.0.1 is already in use (another topicsocket dev?): stop that process, or pick another port with --port N (--port 0 picks a free one)`,
      });
    } finally {
      await new Promise<void>((resolve) => taken.close(() => resolve()));
    }
  });

  it('dev --store dynamodb with nothing at the endpoint (ECONNREFUSED)', async () => {
    const endpoint = `http://127.0.0.1:${port}`;
    expect(
      await failing(['dev', '--port', '0', '--store', 'dynamodb', '--dynamodb-endpoint', endpoint]),
    ).toEqual({
      code: 1,
      line: `topicsocket dev: cannot reach the DynamoDB endpoint at ${endpoint} (connection refused: nothing listens there): start DynamoDB Local there (docs/local-runtime.md says how), or fix --dynamodb-endpoint`,
    });
  });

  it('dev with bad flag and environment values names each, and exits 2', async () => {
    expect(
      await failing(['dev', '--max-connections-per-ip=-1', '--publish-rate', '10'], {
        TOPICSOCKET_HISTORY_MESSAGES: 'all',
        TOPICSOCKET_MAX_SUBSCRIPTIONS: '0',
      }),
    ).toEqual({
      code: 2,
      line:
        'topicsocket dev: invalid configuration: TOPICSOCKET_MAX_SUBSCRIPTIONS must be an integer from 1 to 500, got "0"; ' +
        'TOPICSOCKET_HISTORY_MESSAGES must be an integer from 0 to 100000, got "all"; ' +
        '--max-connections-per-ip must be an integer from 0 to 10000000, got "-1"; ' +
        '--publish-rate must be PER_SECOND/BURST (e.g. 100/200) or off, got "10" (see topicsocket dev --help)',
    });
    expect(await failing(['dev', '--port', '0'], { TOPICSOCKET_PUBLISH_RATE: 'fast' })).toEqual({
      code: 2,
      line: 'topicsocket dev: Invalid topicsocket auth configuration: TOPICSOCKET_PUBLISH_RATE must be PER_SECOND/BURST (e.g. 100/200) or off, got "fast" (see topicsocket dev --help)',
    });
    for (const command of ['dev', 'publish', 'subscribe']) {
      const argv =
        command === 'dev' ? [command] : command === 'publish' ? [command, 't', '1'] : [command, 't'];
      expect(await failing(argv, { PORT: 'abc' })).toEqual({
        code: 2,
        line: `topicsocket ${command}: invalid port "abc" from $PORT: a number from 0 to 65535 (see topicsocket ${command} --help)`,
      });
    }
    expect(await failing(['dev', '--store', 'dynamodb', '--dynamodb-endpoint', '127.0.0.1:8000'])).toEqual({
      code: 2,
      line: 'topicsocket dev: --dynamodb-endpoint must be an http(s) URL, got "127.0.0.1:8000" (e.g. http://127.0.0.1:8000) (see topicsocket dev --help)',
    });
    expect(await failing(['dev', '--no-such-flag'])).toEqual({
      code: 2,
      line: "topicsocket dev: Unknown option '--no-such-flag' (see topicsocket dev --help)",
    });
    expect(await failing(['deploy-to-mars'])).toEqual({
      code: 2,
      line: 'topicsocket: unknown command "deploy-to-mars" (commands: dev, publish, subscribe, dynamodb-local, emulate; see topicsocket --help)',
    });
  });

  it('publish to a URL where nothing listens (fetch failed)', async () => {
    expect(await failing(['publish', 't', '1', '--url', `http://127.0.0.1:${port}`])).toEqual({
      code: 1,
      line: `topicsocket publish: cannot reach the publish API at http://127.0.0.1:${port}/publish (connection refused: nothing listens there): is the server running (npx topicsocket dev), and is --url its HTTP base URL?`,
    });
  });

  it('publish to the WebSocket URL, or to something that is not a URL', async () => {
    expect(await failing(['publish', 't', '1', '--url', `ws://127.0.0.1:${port}`])).toEqual({
      code: 2,
      line: `topicsocket publish: --url takes the HTTP base URL, not the WebSocket URL: try --url http://127.0.0.1:${port} (see topicsocket publish --help)`,
    });
    expect(await failing(['publish', 't', '1', '--url', 'localhost'])).toEqual({
      code: 2,
      line: `topicsocket publish: --url must be the server's HTTP base URL, e.g. http://127.0.0.1:3001, not "localhost" (see topicsocket publish --help)`,
    });
  });

  it('publish without credentials, and to a server without a publish API', async () => {
    const withAuth = `http://127.0.0.1:${guarded.port}`;
    const { code, line } = await failing(['publish', 't', '1', '--url', withAuth]);
    expect(code).toBe(1);
    expect(line).toMatch(
      new RegExp(
        `^topicsocket publish: POST ${withAuth}/publish answered 401 unauthorized: .+ \\(pass --api-key KEY or --token JWT, or set TOPICSOCKET_API_KEY / TOPICSOCKET_TOKEN\\)$`,
      ),
    );
    const without = `http://127.0.0.1:${plain.port}`;
    expect(await failing(['publish', 't', '1', '--url', without])).toEqual({
      code: 1,
      line: `topicsocket publish: POST ${without}/publish answered 404: Not Found (no publish API at this URL: --url must be the server's HTTP base URL, as topicsocket dev prints it)`,
    });
  });

  it('subscribe with a bad token: the refusal, not a silent retry loop', async () => {
    const { code, line } = await failing(['subscribe', 't', '--url', guarded.url], {
      TOPICSOCKET_TOKEN: 'bad',
    });
    expect(code).toBe(1);
    expect(line).toMatch(
      /^topicsocket subscribe: connection refused: 401 unauthorized: .+ \(pass a valid token with --token JWT or TOPICSOCKET_TOKEN\)$/,
    );
    expect(line).not.toContain('bad');
  });

  it('subscribe says a transient refusal (429) once, keeps retrying, and subscribes when it can', async () => {
    const capped = await startLocalServer({
      port: 0,
      console: false,
      publishApi: false,
      limits: { maxConnectionsPerIp: 1 },
    });
    const clients = new Clients();
    try {
      const holder = await clients.connected({ url: capped.url });
      const cli = recordingIo();
      const running = runCli(['subscribe', 't', '--url', capped.url], cli.io);
      await cli.printed(/rate_limited/);
      expect(cli.err).toEqual([
        'topicsocket subscribe: 429 rate_limited: at most 1 connections per address; retrying',
      ]);
      await holder.close();
      await cli.printed(/subscribed to t/);
      cli.stop();
      expect(await running).toBe(0);
    } finally {
      await clients.closeAll();
      await capped.close();
    }
  });

  it('subscribe where nothing listens, and to an http URL', async () => {
    expect(await failing(['subscribe', 't', '--url', `ws://127.0.0.1:${port}`])).toEqual({
      code: 1,
      line: `topicsocket subscribe: could not connect to ws://127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port} (is the server running, e.g. npx topicsocket dev, and is --url right?)`,
    });
    expect(await failing(['subscribe', 't', '--url', `http://127.0.0.1:${port}`])).toEqual({
      code: 2,
      line: `topicsocket subscribe: url must be a ws:// or wss:// URL (the WebSocket URL), got "http://127.0.0.1:${port}"; did you mean "ws://127.0.0.1:${port}"? (see topicsocket subscribe --help)`,
    });
  });
});
