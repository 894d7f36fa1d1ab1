/**
 * `topicsocket publish` and `topicsocket subscribe` against a local server with auth required, in process.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.ts';
import { JwtVerifier } from '../../src/core/auth/index.ts';
import type { LocalServer } from '../../src/runtimes/local/index.ts';
import { cliRunsPerTest, recordingIo } from '../support/cli-in-process.ts';
import { localServerForFile } from '../support/local-server.ts';
import { hsToken, SECRET } from './support/tokens.ts';

const API_KEY = 'cli-suite-api-key-000001';

describe('security: CLI publish and subscribe', () => {
  const local = localServerForFile({
    auth: { mode: 'required', verifier: new JwtVerifier({ secret: SECRET }) },
    publishApi: { auth: { apiKeys: [API_KEY] } },
  });
  const run = cliRunsPerTest();
  let server: LocalServer;
  beforeAll(() => {
    server = local.server;
  });

  it('subscribe prints what publish sends, both authenticated', async () => {
    const subscriber = run(['subscribe', 'news/today', '--url', server.url], {
      TOPICSOCKET_TOKEN: await hsToken({ subscribe: ['news/*'] }),
    });
    const subscribing = subscriber.exitCode;
    await subscriber.printed(/subscribed to news\/today/);

    const publisher = recordingIo({ TOPICSOCKET_API_KEY: API_KEY });
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
    const publisher = recordingIo();
    const base = `http://127.0.0.1:${server.port}`;
    expect(await runCli(['publish', 'news/today', 'x', '--url', base], publisher.io)).toBe(1);
    expect(publisher.err.join('\n')).toContain('401');
    expect(publisher.err.join('\n')).toContain('unauthorized');

    const subscriber = run(['subscribe', 'admin', '--url', server.url], {
      TOPICSOCKET_TOKEN: await hsToken({ subscribe: ['news/*'] }),
    });
    expect(await subscriber.exitCode).toBe(1);
    expect(subscriber.err.join('\n')).toContain('forbidden');
  });

  it('dev requires tokens once a secret is set, and says loudly when it runs open', async () => {
    const secured = run(['dev', '--port', '0'], {
      TOPICSOCKET_JWT_SECRET: SECRET,
      TOPICSOCKET_API_KEYS: API_KEY,
      LOG_LEVEL: 'error',
    });
    const running = secured.exitCode;
    await secured.printed(/Press Ctrl-C/);
    expect(secured.out.join('\n')).toMatch(/auth +auth required \(HS256 secret\)/);
    expect(secured.out.join('\n')).not.toContain(SECRET);
    expect(secured.out.join('\n')).not.toContain(API_KEY);
    const url = /WebSocket URL +(\S+)/.exec(secured.out.join('\n'))?.[1] as string;
    const refused = await fetch(`${url.replace('ws:', 'http:')}/publish`, { method: 'POST', body: '{}' });
    expect(refused.status).toBe(401);
    secured.stop('SIGINT');
    expect(await running).toBe(0);

    const open = run(['dev', '--port', '0'], { LOG_LEVEL: 'error' });
    const openRunning = open.exitCode;
    await open.printed(/Press Ctrl-C/);
    expect(open.err.join('\n')).toContain('AUTH IS OFF');
    open.stop('SIGINT');
    expect(await openRunning).toBe(0);

    const broken = run(['dev', '--port', '0'], { TOPICSOCKET_JWT_SECRET: 'too-short' });
    expect(await broken.exitCode).toBe(2);
    expect(broken.err.join('\n')).toContain('32 bytes');
  });
});
