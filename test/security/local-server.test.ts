/**
 * The security suite against a running local server (emulator + broker, auth required): every attack is
 * refused with its code, nothing gets through, and no token or key reaches the logs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JwtVerifier } from '../../src/core/auth/index.ts';
import type { Logger } from '../../src/core/index.ts';
import { tokenSubprotocols } from '../../src/protocol/index.ts';
import { type LocalServer, startLocalServer } from '../../src/runtimes/local/index.ts';
import { type Attempt, Probe } from './support/probe.ts';
import { AUDIENCE, hsToken, ISSUER, JwksServer, noneToken, SECRET, tamper } from './support/tokens.ts';

const API_KEY = 'security-suite-api-key-0001';
const now = () => Math.floor(Date.now() / 1000);

/** Every log line, serialized, so the suite can prove no secret was written. */
function capturingLogger(lines: string[]): Logger {
  const log = (level: string) => (message: string, fields?: Record<string, unknown>) =>
    lines.push(JSON.stringify({ level, message, ...fields }));
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

describe('security: local server with auth required', () => {
  const jwks = new JwksServer();
  const logs: string[] = [];
  const secrets: string[] = [API_KEY];
  const probes: Probe[] = [];
  let server: LocalServer;

  const track = async (token: string) => {
    secrets.push(token);
    return token;
  };
  const viaQuery = async (token: string): Promise<Attempt> =>
    Probe.attempt(`${server.url}/?token=${encodeURIComponent(await track(token))}`);
  const viaProtocol = async (token: string): Promise<Attempt> =>
    Probe.attempt(server.url, tokenSubprotocols(await track(token)));
  const connect = async (claims: Record<string, unknown>): Promise<Probe> => {
    const attempt = await viaProtocol(await hsToken(claims));
    if (!attempt.open) throw new Error(`refused: ${attempt.status}`);
    probes.push(attempt.client);
    return attempt.client;
  };
  const post = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(`http://127.0.0.1:${server.port}/publish`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  beforeAll(async () => {
    await jwks.start();
    server = await startLocalServer({
      port: 0,
      logger: capturingLogger(logs),
      auth: {
        mode: 'required',
        verifier: new JwtVerifier({ secret: SECRET, jwksUrl: jwks.url, issuer: ISSUER, audience: AUDIENCE }),
      },
      publishApi: { auth: { apiKeys: [API_KEY] } },
      brokerLimits: { publishRate: { perSecond: 50, burst: 50 } },
    });
  });

  afterAll(async () => {
    await Promise.all(probes.map((probe) => probe.close()));
    await server?.close();
    await jwks.stop();
  });

  describe('$connect refuses bad tokens with 401 unauthorized', () => {
    const cases: Array<[string, () => Promise<string>]> = [
      ['expired', () => hsToken({ exp: now() - 60 })],
      ['not yet valid', () => hsToken({ nbf: now() + 3600 })],
      ['wrong issuer', () => hsToken({ iss: 'https://evil.example' })],
      ['wrong audience', () => hsToken({ aud: 'another-app' })],
      ['bad signature', () => hsToken({}, 'an-attackers-secret-that-is-32-bytes-long')],
      ['alg none', async () => noneToken({ subscribe: ['*'], publish: ['*'] })],
      ['HS/RS confusion', () => jwks.confusionToken({ publish: ['*'] })],
      ['tampered claims (HS256)', async () => tamper(await hsToken({ publish: [] }), { publish: ['*'] })],
      ['tampered claims (RS256)', async () => tamper(await jwks.rsToken(), { sub: 'admin' })],
      ['garbage', async () => 'definitely.not.ajwt'],
    ];

    it('refuses a connection without a token', async () => {
      const attempt = await Probe.attempt(server.url);
      expect(attempt).toMatchObject({ open: false, status: 401 });
      expect(JSON.parse((attempt as { body: string }).body)).toMatchObject({ code: 'unauthorized' });
    });

    it.each(cases)('refuses %s, in the query string and in Sec-WebSocket-Protocol', async (_name, token) => {
      for (const attempt of [await viaQuery(await token()), await viaProtocol(await token())]) {
        expect(attempt).toMatchObject({ open: false, status: 401 });
        expect(JSON.parse((attempt as { body: string }).body)).toMatchObject({
          type: 'error',
          code: 'unauthorized',
        });
      }
      expect(server.connections()).toBe(probes.length);
    });

    it('accepts valid HS256, RS256 and ES256 tokens, echoing topicsocket.v1 and never the token', async () => {
      for (const token of [await hsToken(), await jwks.rsToken(), await jwks.esToken()]) {
        const attempt = await viaProtocol(token);
        expect(attempt.open).toBe(true);
        if (attempt.open) {
          probes.push(attempt.client);
          expect(attempt.client.ws.protocol).toBe('topicsocket.v1');
        }
      }
      const byQuery = await viaQuery(await jwks.rsToken());
      expect(byQuery.open).toBe(true);
      if (byQuery.open) probes.push(byQuery.client);
    });
  });

  it('refuses subscribe and publish outside the permissions; nothing is delivered', async () => {
    const reader = await connect({ subscribe: ['chat/*', 'private/own'], publish: [] });
    const writer = await connect({ subscribe: [], publish: ['chat/lobby'] });
    expect(await reader.request({ type: 'subscribe', topic: 'chat/lobby', id: 1 })).toMatchObject({
      type: 'subscribed',
    });
    expect(await reader.request({ type: 'subscribe', topic: 'private/other', id: 2 })).toMatchObject({
      code: 'forbidden',
    });
    expect(await reader.request({ type: 'subscribe', topic: 'chat', id: 3 })).toMatchObject({
      code: 'forbidden',
    });
    expect(await writer.request({ type: 'subscribe', topic: 'chat/lobby', id: 4 })).toMatchObject({
      code: 'forbidden',
    });
    expect(await writer.request({ type: 'publish', topic: 'chat/other', data: 'leak', id: 5 })).toMatchObject(
      {
        code: 'forbidden',
      },
    );
    expect(await reader.request({ type: 'publish', topic: 'chat/lobby', data: 'leak', id: 6 })).toMatchObject(
      {
        code: 'forbidden',
      },
    );
    // The seed's publish frame is held to the same rules.
    writer.send({ type: 'message', topic: 'chat/other', message: 'leak' });
    expect(await writer.request({ type: 'publish', topic: 'chat/lobby', data: 'ok', id: 7 })).toMatchObject({
      type: 'published',
    });
    await reader.waitFor((frame) => frame.type === 'message');
    expect(reader.messages()).toEqual([
      expect.objectContaining({ type: 'message', topic: 'chat/lobby', data: 'ok' }),
    ]);
  });

  it.each([
    ['a path climb', 'chat/../admin'],
    ['a control character', 'chat/\u0001lobby'],
    ['a NUL', 'chat/\u0000'],
    ['a 10 KB name', `chat/${'a'.repeat(10 * 1024)}`],
  ])('refuses a topic with %s (invalid_topic), even with a wildcard permission', async (_name, topic) => {
    const client = await connect({ subscribe: ['*'], publish: ['*'] });
    expect(await client.request({ type: 'subscribe', topic, id: 's' })).toMatchObject({
      code: 'invalid_topic',
    });
    expect(await client.request({ type: 'publish', topic, data: 1, id: 'p' })).toMatchObject({
      code: 'invalid_topic',
    });
  });

  it('refuses payloads over the limit: close 1009 on the socket, payload_too_large on POST /publish', async () => {
    const client = await connect({ subscribe: ['*'], publish: ['*'] });
    // A 129 KB message in 16 KB fragments (each frame is allowed, the message is not): closed with 1009, as on AWS.
    const frame = JSON.stringify({ type: 'publish', topic: 'big', data: 'x'.repeat(129 * 1024), id: 'big' });
    for (let offset = 0; offset < frame.length; offset += 16 * 1024) {
      client.ws.send(frame.slice(offset, offset + 16 * 1024), { fin: offset + 16 * 1024 >= frame.length });
    }
    expect((await client.closed).code).toBe(1009);
    expect(client.frames.filter((candidate) => candidate.type === 'published')).toEqual([]);
    // Through the publish API the body may be larger (batches), but one message is held to 128 KB.
    const response = await post({ topic: 'big', data: 'x'.repeat(200 * 1024) }, { 'x-api-key': API_KEY });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ code: 'payload_too_large' });
  });

  it('rate limits a publish flood and stays responsive to others', async () => {
    const flooder = await connect({ publish: ['*'] });
    const other = await connect({ subscribe: ['calm'], publish: ['calm'] });
    await other.request({ type: 'subscribe', topic: 'calm', id: 'sub' });
    const replies = flooder.waitFor((frame) => frame.id === 1999, 20_000);
    for (let i = 0; i < 2000; i++) flooder.send({ type: 'publish', topic: 'flood', data: i, id: i });
    // While the flood is being answered, another client's frames still get through promptly.
    const started = Date.now();
    expect(await other.request({ type: 'ping', id: 'p' })).toEqual({ type: 'pong', id: 'p' });
    expect(await other.request({ type: 'publish', topic: 'calm', data: 'hi', id: 'c' })).toMatchObject({
      type: 'published',
    });
    expect(Date.now() - started).toBeLessThan(3_000);
    await replies;
    const limited = flooder.frames.filter((frame) => frame.code === 'rate_limited');
    const published = flooder.frames.filter((frame) => frame.type === 'published');
    // Burst 50 plus 50/s while the flood lasts (well under a second unless the machine is very busy).
    expect(limited.length).toBeGreaterThan(1000);
    expect(limited[0]).toMatchObject({ retryable: true });
    expect(published.length).toBeLessThan(1000);
    expect(limited.length + published.length).toBe(2000);
  });

  it('refuses an unauthenticated POST /publish and accepts the API key', async () => {
    const reader = await connect({ subscribe: ['news'] });
    await reader.request({ type: 'subscribe', topic: 'news', id: 1 });
    const attempts: Array<Record<string, string>> = [
      {},
      { 'x-api-key': 'not-the-key-0000000' },
      { authorization: `Bearer ${await hsToken()}` },
    ];
    for (const headers of attempts) {
      const response = await post({ topic: 'news', data: 'leak' }, headers);
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ code: 'unauthorized' });
    }
    const big = await post({ topic: 'news', data: 'x'.repeat(2 * 1024 * 1024) }, { 'x-api-key': API_KEY });
    expect(big.status).toBe(413);
    const ok = await post({ topic: 'news', data: 'hello', idempotencyKey: 'n1' }, { 'x-api-key': API_KEY });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ topic: 'news', delivered: 1, failed: 0 });
    await reader.waitFor((frame) => frame.type === 'message');
    expect(reader.messages('news')).toEqual([
      expect.objectContaining({ type: 'message', topic: 'news', data: 'hello' }),
    ]);
  });

  it('tells a connection its token expired and closes it', async () => {
    const client = await connect({ exp: now() + 1, subscribe: ['*'] });
    expect(await client.waitFor((frame) => frame.type === 'disconnect', 4_000)).toMatchObject({
      reason: 'token_expired',
      reconnect: true,
    });
    await client.closed;
  });

  it('never writes a token or an API key to the logs', () => {
    expect(logs.length).toBeGreaterThan(0);
    const text = logs.join('\n');
    for (const secret of secrets) expect(text).not.toContain(secret);
    expect(text).not.toContain(SECRET);
  });
});
