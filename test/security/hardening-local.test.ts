/**
 * Issue 17 (runtime findings) against the local server with the memory store: bounded output for clients
 * that never read, bounded and linear `history`, token expiry found by the fan-out, per-caller idempotency,
 * whole-batch checks of `POST /publish`, input limits, paced replays.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { JwtVerifier } from '../../src/core/auth/index.ts';
import { InputLimits, tokenSubprotocols } from '../../src/protocol/index.ts';
import type { LocalServer, LocalServerOptions } from '../../src/runtimes/local/index.ts';
import { MemoryStore } from '../../src/stores/index.ts';
import { localServerPerTest } from '../support/local-server.ts';
import { Probe } from './support/probe.ts';
import { slowConsumerWatch } from './support/slow-consumer.ts';
import { hsToken, SECRET } from './support/tokens.ts';

const API_KEY = 'hardening-local-api-key-1';

function nested(depth: number): unknown {
  let value: unknown = 'leaf';
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

describe('hardening: local server (memory store)', () => {
  const servers = localServerPerTest({ publishApi: { auth: { apiKeys: [API_KEY] } } });
  let server: LocalServer | undefined;
  const probes: Probe[] = [];

  /** Probes that never read: a close handshake with them would wait for ws's 30 s close timeout. */
  const stuckProbes: Probe[] = [];

  // Registered after the fixture's, so it runs first: the probes close before their server.
  afterEach(async () => {
    for (const stuck of stuckProbes.splice(0)) stuck.ws.terminate();
    await Promise.all(probes.splice(0).map((probe) => probe.close()));
  });

  async function start(options: LocalServerOptions = {}): Promise<LocalServer> {
    server = await servers.start(options);
    return server;
  }

  async function probe(url = (server as LocalServer).url, protocols?: string[]): Promise<Probe> {
    const opened = await Probe.open(url, protocols);
    probes.push(opened);
    return opened;
  }

  async function post(
    body: unknown,
    token?: string,
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await fetch(`${(server as LocalServer).managementEndpoint}/publish`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : { 'x-api-key': API_KEY }),
      },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  it('disconnects a client that sends pings with 30 KB ids but never reads (slow_consumer), others unaffected', async () => {
    const { logger, dropped } = slowConsumerWatch();
    const maxBufferedBytes = 256 * 1024;
    await start({ logger, limits: { maxBufferedBytes } });
    const stuck = await probe();
    const healthy = await probe();
    stuck.ws.pause();
    stuckProbes.push(stuck);
    const id = 'p'.repeat(30 * 1024);
    let sent = 0;
    let done = false;
    void dropped.then(() => {
      done = true;
    });
    // Far more than the kernel's socket buffers and the bound together: the pongs must go somewhere.
    while (!done && sent < 2_000) {
      stuck.send({ type: 'ping', id });
      sent++;
      if (sent % 50 === 0) await healthy.request({ type: 'ping', id: sent });
    }
    await dropped;
    expect(sent).toBeLessThan(2_000);
    expect(server?.connections()).toBe(1);
    expect(await healthy.request({ type: 'ping', id: 'still-here' })).toEqual({
      type: 'pong',
      id: 'still-here',
    });
  });

  it('disconnects a client that keeps asking for large history answers but never reads', async () => {
    const { logger, dropped } = slowConsumerWatch();
    await start({ logger, limits: { maxBufferedBytes: 256 * 1024 }, brokerLimits: { historyRate: false } });
    for (let n = 0; n < 4; n++) await server?.broker?.publish('big', 'x'.repeat(30 * 1024));
    const stuck = await probe();
    stuck.ws.pause();
    stuckProbes.push(stuck);
    let done = false;
    void dropped.then(() => {
      done = true;
    });
    for (let sent = 0; !done && sent < 3_000; sent++) {
      stuck.send({ type: 'history', topic: 'big', id: sent });
      // Let the server answer, as a real attacker's stream would be interleaved with the server's work.
      if (sent % 20 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    await dropped;
    expect(done).toBe(true);
  });

  it('answers history within the message limit, the id included, and reads only what fits', async () => {
    const store = new MemoryStore();
    await start({ store });
    for (let n = 0; n < 30; n++) await server?.broker?.publish('large', { n, pad: 'y'.repeat(20_000) });
    const client = await probe();
    const id = 'i'.repeat(128);
    let serialized = 0;
    const original = JSON.stringify;
    JSON.stringify = ((...args: Parameters<typeof JSON.stringify>) => {
      const out = original(...args);
      serialized += out?.length ?? 0;
      return out;
    }) as typeof JSON.stringify;
    let answer: Record<string, unknown>;
    try {
      answer = await client.request({ type: 'history', topic: 'large', id });
    } finally {
      JSON.stringify = original;
    }
    const size = Buffer.byteLength(original(answer));
    expect(size).toBeLessThanOrEqual(128 * 1024);
    const messages = answer.messages as Array<{ offset: number }>;
    expect(messages.length).toBe(6);
    expect(messages.map((message) => message.offset)).toEqual([25, 26, 27, 28, 29, 30]);
    // Linear: about one answer serialized, not a page re-serialized per dropped message.
    expect(serialized).toBeLessThan(4 * 128 * 1024);
  });

  it('rate-limits history requests per connection with rate_limited (retryable)', async () => {
    await start({ brokerLimits: { historyRate: { perSecond: 1, burst: 3 } } });
    const client = await probe();
    const answers = [];
    for (let id = 1; id <= 4; id++) answers.push(await client.request({ type: 'history', topic: 'h', id }));
    expect(answers.slice(0, 3).map((answer) => answer.type)).toEqual(['history', 'history', 'history']);
    expect(answers[3]).toMatchObject({ type: 'error', code: 'rate_limited', retryable: true });
  });

  it('ends a subscriber whose token expired at the next fan-out, without expiry timers (as on Lambda)', async () => {
    let skewMs = 0;
    const now = () => Date.now() + skewMs;
    const store = new MemoryStore({ now });
    await start({
      store,
      auth: {
        mode: 'required',
        verifier: new JwtVerifier({ secret: SECRET }),
        expiryTimers: false,
      },
    });
    const token = await hsToken({ exp: Math.floor(Date.now() / 1000) + 60, subscribe: ['feed'] });
    const subscriber = await probe(server?.url, tokenSubprotocols(token));
    await subscriber.request({ type: 'subscribe', topic: 'feed', id: 1 });
    skewMs = 120_000; // the token has expired; the subscriber only pings, which never reach the handler
    expect(await subscriber.request({ type: 'ping', id: 2 })).toEqual({ type: 'pong', id: 2 });
    const result = await server?.broker?.publish('feed', 'after expiry');
    expect(result).toMatchObject({ delivered: 0 });
    expect(await subscriber.waitFor((frame) => frame.type === 'disconnect')).toMatchObject({
      reason: 'token_expired',
      reconnect: true,
    });
    await subscriber.closed;
    expect(subscriber.messages()).toEqual([]);
    expect(server?.connections()).toBe(0);
  });

  it('scopes WebSocket idempotency keys to the caller: another user cannot turn my publish into a duplicate', async () => {
    await start({ auth: { mode: 'required', verifier: new JwtVerifier({ secret: SECRET }) } });
    const alice = await probe(
      server?.url,
      tokenSubprotocols(await hsToken({ sub: 'alice', publish: ['room'] })),
    );
    const bob = await probe(server?.url, tokenSubprotocols(await hsToken({ sub: 'bob', publish: ['room'] })));
    const first = await alice.request({
      type: 'publish',
      topic: 'room',
      data: 'A',
      idempotencyKey: 'k1',
      id: 1,
    });
    const second = await bob.request({
      type: 'publish',
      topic: 'room',
      data: 'B',
      idempotencyKey: 'k1',
      id: 2,
    });
    expect(first).toMatchObject({ type: 'published', offset: 1 });
    expect(second).toMatchObject({ type: 'published', offset: 2 });
    expect(second.duplicate).toBeUndefined();
    // The same caller's retry is still a duplicate.
    const retry = await bob.request({
      type: 'publish',
      topic: 'room',
      data: 'B',
      idempotencyKey: 'k1',
      id: 3,
    });
    expect(retry).toMatchObject({ offset: 2, duplicate: true });
  });

  it('refuses a whole POST /publish batch when one message is too large: 413, nothing published', async () => {
    await start();
    const subscriber = await probe();
    await subscriber.request({ type: 'subscribe', topic: 'batch', id: 1 });
    const answer = await post({
      messages: [
        { topic: 'batch', data: 'small one' },
        { topic: 'batch', data: 'z'.repeat(130 * 1024) },
      ],
    });
    expect(answer.status).toBe(413);
    expect(answer.body).toMatchObject({ code: 'payload_too_large', retryable: false });
    expect(await subscriber.request({ type: 'history', topic: 'batch', id: 2 })).toMatchObject({
      offset: 0,
      messages: [],
    });
    expect(subscriber.messages()).toEqual([]);
  });

  it('scopes POST /publish idempotency keys per topic: one key on two topics publishes to both', async () => {
    await start();
    const first = await post({ topic: 'one', data: 1, idempotencyKey: 'same' });
    const second = await post({ topic: 'two', data: 2, idempotencyKey: 'same' });
    expect(first.body).toMatchObject({ topic: 'one', offset: 1 });
    expect(second.body).toMatchObject({ topic: 'two', offset: 1 });
    expect(second.body.duplicate).toBeUndefined();
    expect((await post({ topic: 'two', data: 2, idempotencyKey: 'same' })).body).toMatchObject({
      topic: 'two',
      duplicate: true,
    });
  });

  it('gives JWT callers without sub their own idempotency namespace', async () => {
    const verifier = new JwtVerifier({ secret: SECRET });
    await start({ publishApi: { auth: { verifier } } });
    const one = await hsToken({ sub: undefined, publish: ['*'], jti: 'one' });
    const two = await hsToken({ sub: undefined, publish: ['*'], jti: 'two' });
    const first = await post({ topic: 'nosub', data: 1, idempotencyKey: 'k' }, one);
    const second = await post({ topic: 'nosub', data: 2, idempotencyKey: 'k' }, two);
    expect(first.body).toMatchObject({ offset: 1 });
    expect(second.body).toMatchObject({ offset: 2 });
    expect(second.body.duplicate).toBeUndefined();
  });

  it(`refuses payloads nested deeper than ${InputLimits.maxJsonDepth} with bad_frame (WebSocket and POST /publish)`, async () => {
    await start();
    const client = await probe();
    const deep = await client.request({ type: 'publish', topic: 'deep', data: nested(4_000), id: 1 });
    expect(deep).toMatchObject({ type: 'error', code: 'bad_frame', retryable: false });
    const ok = await client.request({
      type: 'publish',
      topic: 'deep',
      data: nested(InputLimits.maxJsonDepth - 2),
      id: 2,
    });
    expect(ok).toMatchObject({ type: 'published', offset: 1 });
    const http = await post({ topic: 'deep', data: nested(4_000) });
    expect(http.status).toBe(400);
    expect(http.body).toMatchObject({ code: 'bad_frame', retryable: false });
    // History on the topic still works.
    expect(await client.request({ type: 'history', topic: 'deep', id: 3 })).toMatchObject({
      type: 'history',
    });
  });

  it('refuses idempotency keys with lone surrogates instead of letting them collide', async () => {
    await start();
    const client = await probe();
    const answer = await client.request({
      type: 'publish',
      topic: 'keys',
      data: 1,
      idempotencyKey: '\ud800',
      id: 1,
    });
    expect(answer).toMatchObject({ type: 'error', code: 'bad_frame', retryable: false });
    const http = await post({ topic: 'keys', data: 1, idempotencyKey: 'a\udc00' });
    expect(http.status).toBe(400);
    expect(http.body).toMatchObject({ code: 'bad_frame' });
  });

  it('replays more than the unread-output bound to a fast reader at its pace, without dropping it', async () => {
    const { logger, dropped } = slowConsumerWatch();
    let droppedOne = false;
    void dropped.then(() => {
      droppedOne = true;
    });
    await start({ logger, limits: { maxBufferedBytes: 256 * 1024 } });
    let epoch = '';
    for (let n = 1; n <= 40; n++) {
      epoch = (await server?.broker?.publish('replay', { n, pad: 'r'.repeat(50_000) }))?.epoch as string;
    }
    const reader = await probe();
    const ack = await reader.request({
      type: 'subscribe',
      topic: 'replay',
      since: { epoch, offset: 0 },
      id: 2,
    });
    expect(ack).toMatchObject({ type: 'subscribed', recovered: true, offset: 40 });
    expect(reader.messages('replay').map((message) => message.offset)).toEqual(
      Array.from({ length: 40 }, (_, i) => i + 1),
    );
    expect(droppedOne).toBe(false);
  });
});
