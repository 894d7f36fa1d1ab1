/**
 * `topicsocket publish` and `topicsocket subscribe` against a local server with auth required, in process.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/io.ts';
import { runCli } from '../../src/cli/run.ts';
import { JwtVerifier } from '../../src/core/auth/index.ts';
import { type LocalServer, startLocalServer } from '../../src/runtimes/local/index.ts';
import { hsToken, SECRET } from './support/tokens.ts';

const API_KEY = 'cli-suite-api-key-000001';

function io(env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  let stop: (signal: string) => void = () => {};
  const stopped = new Promise<string>((resolve) => {
    stop = resolve;
  });
  const waiters: Array<{ match: RegExp; resolve: () => void }> = [];
  const value: CliIo = {
    out: (line) => {
      out.push(line);
      for (const waiter of waiters) if (waiter.match.test(line)) waiter.resolve();
    },
    err: (line) => {
      err.push(line);
      for (const waiter of waiters) if (waiter.match.test(line)) waiter.resolve();
    },
    env,
    untilStopped: () => stopped,
  };
  const printed = (match: RegExp) => new Promise<void>((resolve) => waiters.push({ match, resolve }));
  return { io: value, out, err, stop, printed };
}

describe('security: CLI publish and subscribe', () => {
  let server: LocalServer;

  beforeAll(async () => {
    server = await startLocalServer({
      port: 0,
      auth: { mode: 'required', verifier: new JwtVerifier({ secret: SECRET }) },
      publishApi: { auth: { apiKeys: [API_KEY] } },
    });
  });
  afterAll(() => server?.close());

  it('subscribe prints what publish sends, both authenticated', async () => {
    const subscriber = io({ TOPICSOCKET_TOKEN: await hsToken({ subscribe: ['news/*'] }) });
    const subscribing = runCli(['subscribe', 'news/today', '--url', server.url], subscriber.io);
    await subscriber.printed(/subscribed to news\/today/);

    const publisher = io({ TOPICSOCKET_API_KEY: API_KEY });
    const base = `http://127.0.0.1:${server.port}`;
    expect(await runCli(['publish', 'news/today', '{"n":1}', '--url', base], publisher.io)).toBe(0);
    expect(JSON.parse(publisher.out[0] as string)).toMatchObject({ topic: 'news/today', delivered: 1 });

    await subscriber.printed(/"n":1/);
    subscriber.stop('SIGINT');
    expect(await subscribing).toBe(0);
    expect(subscriber.out.map((line) => JSON.parse(line))).toEqual([
      expect.objectContaining({ topic: 'news/today', data: { n: 1 } }),
    ]);
  });

  it('publish without credentials fails with unauthorized; subscribe outside the token fails with forbidden', async () => {
    const publisher = io();
    const base = `http://127.0.0.1:${server.port}`;
    expect(await runCli(['publish', 'news/today', 'x', '--url', base], publisher.io)).toBe(1);
    expect(publisher.err.join('\n')).toContain('401');
    expect(publisher.err.join('\n')).toContain('unauthorized');

    const subscriber = io({ TOPICSOCKET_TOKEN: await hsToken({ subscribe: ['news/*'] }) });
    expect(await runCli(['subscribe', 'admin', '--url', server.url], subscriber.io)).toBe(1);
    expect(subscriber.err.join('\n')).toContain('forbidden');
  });

  it('dev requires tokens once a secret is set, and says loudly when it runs open', async () => {
    const secured = io({ TOPICSOCKET_JWT_SECRET: SECRET, TOPICSOCKET_API_KEYS: API_KEY, LOG_LEVEL: 'error' });
    const running = runCli(['dev', '--port', '0'], secured.io);
    await secured.printed(/Press Ctrl-C/);
    expect(secured.out.join('\n')).toMatch(/auth +auth required \(HS256 secret\)/);
    expect(secured.out.join('\n')).not.toContain(SECRET);
    expect(secured.out.join('\n')).not.toContain(API_KEY);
    const url = /WebSocket URL +(\S+)/.exec(secured.out.join('\n'))?.[1] as string;
    const refused = await fetch(`${url.replace('ws:', 'http:')}/publish`, { method: 'POST', body: '{}' });
    expect(refused.status).toBe(401);
    secured.stop('SIGINT');
    expect(await running).toBe(0);

    const open = io({ LOG_LEVEL: 'error' });
    const openRunning = runCli(['dev', '--port', '0'], open.io);
    await open.printed(/Press Ctrl-C/);
    expect(open.err.join('\n')).toContain('AUTH IS OFF');
    open.stop('SIGINT');
    expect(await openRunning).toBe(0);

    const broken = io({ TOPICSOCKET_JWT_SECRET: 'too-short' });
    expect(await runCli(['dev', '--port', '0'], broken.io)).toBe(2);
    expect(broken.err.join('\n')).toContain('32 bytes');
  });
});
