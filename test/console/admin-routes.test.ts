/**
 * The console's admin listings on a real local server, with real clients: `GET /admin/topics`,
 * `/admin/connections`, `/admin/history`, their caps and pages, their auth (the rules of `GET /stats`), and
 * the DynamoDB store's answers (no listing: 501; history: yes).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AdminLimits } from '../../src/core/admin/index.ts';
import { JwtVerifier } from '../../src/core/auth/index.ts';
import {
  type LocalServer,
  type LocalServerOptions,
  startLocalServer,
} from '../../src/runtimes/local/index.ts';
import { DynamoDbStore } from '../../src/stores/dynamodb/index.ts';
import { TestClient } from '../runtimes/local/client.ts';
import { hsToken, SECRET } from '../security/support/tokens.ts';
import { freshTable } from '../support/dynamodb-test-table.ts';

const servers: LocalServer[] = [];
const clients: TestClient[] = [];

async function start(options: LocalServerOptions = {}): Promise<LocalServer> {
  const server = await startLocalServer({ port: 0, ...options });
  servers.push(server);
  return server;
}

async function open(url: string): Promise<TestClient> {
  const client = await TestClient.open(url);
  clients.push(client);
  return client;
}

function get(server: LocalServer, path: string, headers: Record<string, string> = {}) {
  return fetch(`${server.managementEndpoint}${path}`, { headers });
}

async function json<T = Record<string, unknown>>(response: Response | Promise<Response>): Promise<T> {
  return (await (await response).json()) as T;
}

afterEach(async () => {
  for (const client of clients.splice(0)) client.ws.terminate();
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

describe('admin listings on the memory store', () => {
  it('lists topics with live subscriber counts and their stream position, in pages', async () => {
    const server = await start();
    const [a, b] = [await open(server.url), await open(server.url)];
    await a.request({ type: 'subscribe', topic: 'shop/orders', id: 1 });
    await b.request({ type: 'subscribe', topic: 'shop/orders', id: 1 });
    await b.request({ type: 'subscribe', topic: 'chat/general', id: 2 });
    const published = await server.broker?.publish('shop/orders', { id: 1 });
    // A topic with history but nobody subscribed is listed too, with 0 subscribers.
    await server.broker?.publish('audit/log', 'nobody listens');

    const all = await json(get(server, '/admin/topics'));
    expect(all).toEqual({
      topics: [
        { topic: 'audit/log', subscribers: 0, position: { epoch: expect.any(String), offset: 1 } },
        { topic: 'chat/general', subscribers: 1, position: { epoch: expect.any(String), offset: 0 } },
        { topic: 'shop/orders', subscribers: 2, position: { epoch: published?.epoch, offset: 1 } },
      ],
      next: null,
    });

    const first = await json<{ topics: Array<{ topic: string }>; next: string }>(
      get(server, '/admin/topics?limit=2'),
    );
    expect(first.topics.map((topic) => topic.topic)).toEqual(['audit/log', 'chat/general']);
    expect(first.next).toBe('chat/general');
    const second = await json(get(server, `/admin/topics?limit=2&after=${encodeURIComponent(first.next)}`));
    expect(second).toMatchObject({ topics: [{ topic: 'shop/orders' }], next: null });

    // Unsubscribing and disconnecting show at once.
    await b.request({ type: 'unsubscribe', topic: 'shop/orders', id: 3 });
    a.ws.close();
    await a.closed;
    await expect
      .poll(async () => (await json(get(server, '/admin/topics?limit=200'))).topics)
      .toContainEqual(expect.objectContaining({ topic: 'shop/orders', subscribers: 0 }));
  });

  it('lists connections with identity, age and subscriptions', async () => {
    const verifier = new JwtVerifier({ secret: SECRET });
    const server = await start({ auth: { mode: 'required', verifier } });
    const token = await hsToken({ sub: 'ada', subscribe: ['*'] });
    const client = await TestClient.open(`${server.url}?token=${token}`);
    clients.push(client);
    await client.request({ type: 'subscribe', topic: 'b/two', id: 1 });
    await client.request({ type: 'subscribe', topic: 'a/one', id: 2 });

    const body = await json<{ connections: Array<Record<string, unknown>>; next: null }>(
      get(server, '/admin/connections', { authorization: `Bearer ${token}` }),
    );
    expect(body.next).toBeNull();
    expect(body.connections).toHaveLength(1);
    expect(body.connections[0]).toMatchObject({
      connectionId: expect.stringMatching(/=$/),
      identity: 'ada',
      claims: expect.objectContaining({ sub: 'ada' }),
      subscriptions: ['a/one', 'b/two'],
      ageSeconds: expect.any(Number),
      connectedAt: expect.any(Number),
    });
  });

  it('pages connections without repeating or skipping any', async () => {
    const server = await start();
    for (let index = 0; index < 5; index++) await open(server.url);
    const seen: string[] = [];
    let after: string | null = '';
    while (after !== null) {
      const page: { connections: Array<{ connectionId: string }>; next: string | null } = await json(
        get(server, `/admin/connections?limit=2${after ? `&after=${encodeURIComponent(after)}` : ''}`),
      );
      expect(page.connections.length).toBeLessThanOrEqual(2);
      seen.push(...page.connections.map((connection) => connection.connectionId));
      after = page.next;
    }
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(5);
    expect([...seen].sort()).toEqual(seen);
  });

  it('refuses limits past the cap, and what is not a page size', async () => {
    const server = await start();
    for (const query of [`limit=${AdminLimits.maxPage + 1}`, 'limit=0', 'limit=1.5', 'limit=ten']) {
      const response = await get(server, `/admin/topics?${query}`);
      expect(response.status, query).toBe(400);
      expect(await response.json()).toMatchObject({ type: 'error', code: 'bad_request' });
    }
    expect((await get(server, `/admin/connections?limit=${AdminLimits.maxPage}`)).status).toBe(200);
    expect((await fetch(`${server.managementEndpoint}/admin/topics`, { method: 'DELETE' })).status).toBe(405);
  });

  it("reads a topic's retained history: the newest page by default, then forward from `after`", async () => {
    const server = await start();
    for (let index = 1; index <= 7; index++) await server.broker?.publish('feed', { n: index });

    const newest = await json(get(server, '/admin/history?topic=feed&limit=3'));
    expect(newest).toEqual({
      topic: 'feed',
      epoch: expect.any(String),
      top: 7,
      oldest: expect.any(Number),
      messages: [5, 6, 7].map((n) => ({ offset: n, data: { n } })),
      next: null,
    });
    const forward = await json(get(server, '/admin/history?topic=feed&limit=3&after=0'));
    expect(forward).toMatchObject({ messages: [{ offset: 1 }, { offset: 2 }, { offset: 3 }], next: 3 });
    const rest = await json(get(server, '/admin/history?topic=feed&limit=100&after=3'));
    expect(rest).toMatchObject({
      messages: [{ offset: 4 }, { offset: 5 }, { offset: 6 }, { offset: 7 }],
      next: null,
    });

    const bad = await get(server, '/admin/history?topic=a..b');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: 'invalid_topic' });
    expect(
      (await get(server, `/admin/history?topic=feed&limit=${AdminLimits.maxHistoryPage + 1}`)).status,
    ).toBe(400);
  });

  it('stops a history page at the byte budget and says where to go on', async () => {
    const server = await start();
    const big = 'x'.repeat(120 * 1024);
    const count = Math.ceil(AdminLimits.maxHistoryBytes / big.length) + 2;
    for (let index = 0; index < count; index++) await server.broker?.publish('big', big);
    const response = await get(server, '/admin/history?topic=big&after=0&limit=100');
    const text = await response.text();
    const body = JSON.parse(text) as { messages: unknown[]; next: number };
    expect(body.messages.length).toBeLessThan(count);
    expect(text.length).toBeLessThan(AdminLimits.maxHistoryBytes + 1000);
    expect(body.next).toBe(body.messages.length);
  });

  it('answers 501 for history when history is off', async () => {
    const server = await start({ brokerLimits: { history: false } });
    const response = await get(server, '/admin/history?topic=feed');
    expect(response.status).toBe(501);
    expect(await response.json()).toMatchObject({ code: 'history_off' });
  });
});

describe('admin listings: auth', () => {
  const API_KEY = 'admin-suite-api-key-00001';
  const paths = ['/admin/topics', '/admin/connections', '/admin/history?topic=x'];

  it('are open in open dev mode only, and otherwise want what GET /stats wants', async () => {
    const openServer = await start();
    for (const path of paths) expect((await get(openServer, path)).status, path).toBe(200);

    const verifier = new JwtVerifier({ secret: SECRET });
    const locked = await start({
      auth: { mode: 'required', verifier },
      publishApi: { auth: { apiKeys: [API_KEY], verifier } },
    });
    for (const path of paths) {
      const refused = await get(locked, path);
      expect(refused.status, path).toBe(401);
      expect(refused.headers.get('www-authenticate')).toBe('Bearer');
      expect(await refused.json()).toMatchObject({ type: 'error', code: 'unauthorized' });
      expect((await get(locked, path, { 'x-api-key': API_KEY })).status, path).toBe(200);
      expect(
        (await get(locked, path, { authorization: `Bearer ${await hsToken({ sub: 'ada' })}` })).status,
      ).toBe(200);
      expect((await get(locked, path, { 'x-api-key': `${API_KEY}x` })).status).toBe(401);
    }
  });

  it('are not served with console: false', async () => {
    const server = await start({ console: false });
    for (const path of paths) expect((await get(server, path)).status, path).toBe(426);
  });
});

describe('admin listings on the DynamoDB store', () => {
  let store: DynamoDbStore;
  let server: LocalServer;
  beforeAll(async () => {
    const { client, tableName } = await freshTable('admin');
    store = new DynamoDbStore({ client, tableName, closeClient: true });
    server = await startLocalServer({ port: 0, store });
  });
  afterAll(async () => {
    await server?.close();
    await store?.close();
  });

  it('answers 501 for topics and connections (they would need a Scan), and serves history', async () => {
    for (const path of ['/admin/topics', '/admin/connections']) {
      const response = await get(server, path);
      expect(response.status, path).toBe(501);
      expect(await response.json()).toMatchObject({
        code: 'not_implemented',
        message: expect.stringContaining('scan'),
      });
    }
    await server.broker?.publish('ddb/feed', { n: 1 });
    await server.broker?.publish('ddb/feed', { n: 2 });
    expect(await json(get(server, '/admin/history?topic=ddb/feed'))).toMatchObject({
      topic: 'ddb/feed',
      top: 2,
      messages: [
        { offset: 1, data: { n: 1 } },
        { offset: 2, data: { n: 2 } },
      ],
      next: null,
    });
  });
});
