/**
 * Connect refusals reach the application as typed errors: the handshake's HTTP status and the server's code
 * and message (readable with the `ws` package), a `refused` state that stops retrying while only a new token
 * or a fixed URL can help, and a 429's `Retry-After` honoured. Browsers cannot read the status:
 * standard-websocket.test.ts shows what they get instead.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ConnectRefusedError,
  isConnectRefusedError,
  type StateChange,
  type TopicsocketError,
} from '../../src/client/index.ts';
import { JwtVerifier } from '../../src/core/auth/index.ts';
import type { Logger } from '../../src/core/index.ts';
import { type LocalServer, startLocalServer } from '../../src/runtimes/local/index.ts';
import { hsToken, SECRET } from '../security/support/tokens.ts';
import { Clients } from './support/clients.ts';
import { nextEvent, until } from './support/events.ts';

/** A logger that counts the upgrades the emulator refused. */
function refusalCounter(): { logger: Logger; refused: () => number } {
  let refused = 0;
  const noop = () => {};
  return {
    logger: {
      debug: noop,
      warn: noop,
      error: noop,
      // The emulator's line (with the status it answered), not the broker's.
      info: (message, fields) => {
        if (message === 'connection refused' && fields?.statusCode !== undefined) refused++;
      },
    },
    refused: () => refused,
  };
}

/** A plain HTTP server that answers every upgrade with `status`, `headers` and `body`: not a topicsocket. */
async function refusingServer(
  status: number,
  headers: Record<string, string>,
  body: string,
): Promise<Server> {
  const server = createServer();
  server.on('upgrade', (_request, socket) => {
    socket.end(
      `HTTP/1.1 ${status} Refused\r\nConnection: close\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        Object.entries(headers)
          .map(([name, value]) => `${name}: ${value}\r\n`)
          .join('') +
        `\r\n${body}`,
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

const isState = (state: StateChange['state']) => (change: StateChange) => change.state === state;

describe('connect refusals', () => {
  const clients = new Clients();
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    await clients.closeAll();
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function authServer(): Promise<{ server: LocalServer; refused: () => number }> {
    const counter = refusalCounter();
    const server = await startLocalServer({
      port: 0,
      console: false,
      publishApi: false,
      logger: counter.logger,
      auth: { mode: 'required', verifier: new JwtVerifier({ secret: SECRET }) },
    });
    cleanups.push(() => server.close());
    return { server, refused: counter.refused };
  }

  async function plainServer(status: number, headers: Record<string, string>, body: string) {
    const server = await refusingServer(status, headers, body);
    cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
    return `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  it('a 401 is a typed error with the status and the server code, and the client stops retrying', async () => {
    const { server, refused } = await authServer();
    let asked = 0;
    const client = clients.create({
      url: server.url,
      getToken: () => {
        asked++;
        return 'not-a-jwt';
      },
    });
    const errors: TopicsocketError[] = [];
    client.on('error', (error) => errors.push(error));
    const change = await nextEvent(client, 'state', isState('refused'));
    expect(change).toMatchObject({ state: 'refused', previous: 'connecting', reason: 'unauthorized' });
    const error = change.error as ConnectRefusedError;
    expect(isConnectRefusedError(error)).toBe(true);
    expect(error).toBeInstanceOf(ConnectRefusedError);
    expect({
      code: error.code,
      status: error.status,
      serverCode: error.serverCode,
      retryable: error.retryable,
    }).toEqual({ code: 'unauthorized', status: 401, serverCode: 'unauthorized', retryable: false });
    expect(error.serverMessage).toMatch(/token/i);
    expect(error.message).toBe(`connection refused: 401 ${error.serverMessage}`);
    expect(errors).toEqual([error]);

    // getToken keeps being asked on the backoff schedule, but the same token is never sent again.
    await until(() => asked >= 4);
    expect(refused()).toBe(1);
    expect(client.state).toBe('refused');
    expect(errors).toHaveLength(1);
  });

  it('connects as soon as getToken gives a different token', async () => {
    const { server } = await authServer();
    let token = 'expired-or-bad';
    const client = clients.create({ url: server.url, getToken: () => token });
    await nextEvent(client, 'state', isState('refused'));
    token = await hsToken({ subscribe: ['*'] });
    expect(await nextEvent(client, 'state', isState('connected'))).toMatchObject({ previous: 'refused' });
  });

  it('with a static token, retries only when the app calls reconnect()', async () => {
    const { server, refused } = await authServer();
    const client = clients.create({ url: server.url, token: 'bad' });
    await nextEvent(client, 'state', isState('refused'));
    expect(refused()).toBe(1);
    const again = nextEvent(client, 'state', isState('refused'));
    client.reconnect();
    expect((await again).error).toMatchObject({ code: 'unauthorized', status: 401 });
    expect(refused()).toBe(2);
  });

  it('a 404 (nothing takes WebSockets at this URL) is not_found, and not retried', async () => {
    const url = await plainServer(404, { 'Content-Type': 'text/plain' }, 'no such page');
    const client = clients.create({ url });
    const change = await nextEvent(client, 'state', isState('refused'));
    expect(change.error).toMatchObject({ code: 'not_found', status: 404, retryable: false });
    expect(change.error?.message).toBe('connection refused: 404 Refused');
  });

  it('a 429 with Retry-After waits at least that long, and keeps retrying', async () => {
    const url = await plainServer(
      429,
      { 'Retry-After': '7', 'Content-Type': 'application/json' },
      JSON.stringify({ type: 'error', code: 'rate_limited', message: 'slow down', retryable: true }),
    );
    const client = clients.create({ url });
    const change = await nextEvent(client, 'state', (c) => c.error !== undefined);
    expect(change).toMatchObject({ state: 'connecting', reason: 'rate_limited' });
    expect(change.delayMs).toBeGreaterThanOrEqual(7000);
    expect(change.error).toMatchObject({
      code: 'rate_limited',
      status: 429,
      serverMessage: 'slow down',
      retryAfterMs: 7000,
      retryable: true,
    });
  });

  it("the emulator's per-address cap answers 429 rate_limited, retried with backoff", async () => {
    const server = await startLocalServer({
      port: 0,
      console: false,
      publishApi: false,
      limits: { maxConnectionsPerIp: 1 },
    });
    cleanups.push(() => server.close());
    await clients.connected({ url: server.url });
    const second = clients.create({ url: server.url });
    const change = await nextEvent(second, 'state', (c) => c.error !== undefined);
    expect(change.state).toBe('connecting');
    expect(change.error).toMatchObject({
      code: 'rate_limited',
      status: 429,
      serverCode: 'rate_limited',
      serverMessage: 'at most 1 connections per address',
      retryable: true,
    });
  });

  it('says a cause once while it repeats: one error event for many failed attempts', async () => {
    const url = await plainServer(503, {}, '');
    const client = clients.create({ url });
    const errors: TopicsocketError[] = [];
    client.on('error', (error) => errors.push(error));
    let attempts = 0;
    client.on('state', (change) => {
      if (change.error) attempts++;
    });
    await until(() => attempts >= 3);
    expect(errors.map((error) => [error.code, (error as ConnectRefusedError).status])).toEqual([
      ['unavailable', 503],
    ]);
  });

  it('no server at all is connect_failed with what the socket said', async () => {
    const url = await plainServer(404, {}, '');
    const port = new URL(url).port;
    await cleanups.pop()?.(); // nothing listens on that port any more
    const client = clients.create({ url });
    const error = await nextEvent(client, 'error');
    expect(error.code).toBe('connect_failed');
    expect(error.message).toBe(
      `could not connect to ws://127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port}`,
    );
    expect(client.state).toBe('connecting');
  });

  it('never puts the token in an error message', async () => {
    const { server } = await authServer();
    const client = clients.create({ url: server.url, token: 'secret-token-value' });
    const change = await nextEvent(client, 'state', isState('refused'));
    expect(JSON.stringify(change.error?.message)).not.toContain('secret-token-value');
  });
});
