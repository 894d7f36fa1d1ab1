/**
 * The console's HTTP side on a real local server: the page and its bundle, `GET /stats` and its auth rules,
 * `console: false`, and a clear answer when esbuild is missing. The browser test drives the page itself.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JwtVerifier } from '../../src/core/auth/index.ts';
import { consoleAssetBuilder } from '../../src/runtimes/local/console-assets.ts';
import { consoleRoutes } from '../../src/runtimes/local/console-routes.ts';
import { type LocalServer, startLocalServer } from '../../src/runtimes/local/index.ts';
import { TestClient } from '../runtimes/local/client.ts';
import { hsToken, SECRET } from '../security/support/tokens.ts';
import { localServerForFile } from '../support/local-server.ts';

const HTML = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };
const API_KEY = 'console-suite-api-key-0001';

describe('web console: page and bundle', () => {
  const local = localServerForFile();
  let server: LocalServer;
  beforeAll(() => {
    server = local.server;
  });

  it('serves the page to a browser at / and at /console/, with a strict content security policy', async () => {
    for (const path of ['/', '/console/']) {
      const response = await fetch(`${server.managementEndpoint}${path}`, { headers: HTML });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
      expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
      const html = await response.text();
      expect(html).toContain('<script type="module" src="/console/main.js">');
      expect(html).toContain('data-auth="open"');
    }
  });

  it('keeps the emulator answer (426) for non-browser requests to /', async () => {
    expect((await fetch(`${server.managementEndpoint}/`)).status).toBe(426);
  });

  it('serves the bundled script, with the client SDK in it, and the stylesheet', async () => {
    const script = await fetch(`${server.managementEndpoint}/console/main.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
    const js = await script.text();
    // Bundled: no import left for the browser to resolve, and the SDK's protocol frames are in it.
    expect(js).not.toMatch(/\bimport\s*[{*"']/);
    expect(js).toContain('subscribe');
    const css = await fetch(`${server.managementEndpoint}/console/styles.css`);
    expect(css.status).toBe(200);
    expect(await css.text()).toContain('.topbar');
  });

  it('refuses other methods on console paths', async () => {
    const response = await fetch(`${server.managementEndpoint}/console/`, { method: 'POST' });
    expect(response.status).toBe(405);
  });
});

describe('web console: GET /stats', () => {
  const local = localServerForFile();
  let server: LocalServer;
  beforeAll(() => {
    server = local.server;
  });

  it('counts connections, subscriptions, topics and the publish rate', async () => {
    const before = await (await fetch(`${server.managementEndpoint}/stats`)).json();
    expect(before).toMatchObject({ connections: 0, subscriptions: 0, topics: 0, messagesPerSecond: 0 });

    const clients = [await TestClient.open(server.url), await TestClient.open(server.url)];
    for (const [index, client] of clients.entries()) {
      await client.request({ type: 'subscribe', topic: 'stats/a', id: 1 });
      if (index === 0) await client.request({ type: 'subscribe', topic: 'stats/b', id: 2 });
    }
    await server.broker?.publish('stats/a', 1);
    await server.broker?.publish('stats/a', 2);

    const response = await fetch(`${server.managementEndpoint}/stats`);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('cache-control')).toBe('no-store');
    const stats = (await response.json()) as { messagesPerSecond: number; deliveriesPerSecond: number };
    expect(stats).toMatchObject({
      connections: 2,
      subscriptions: 3,
      topics: 2,
      totals: { publishes: 2, deliveries: 4, connects: 2 },
    });
    expect(stats.messagesPerSecond).toBeGreaterThan(0);
    expect(stats.deliveriesPerSecond).toBeCloseTo(stats.messagesPerSecond * 2, 5);
    for (const client of clients) await client.close();
  });
});

describe('web console: stats auth', () => {
  const servers: LocalServer[] = [];
  afterAll(() => Promise.all(servers.map((server) => server.close())));

  const start = async (options: Parameters<typeof startLocalServer>[0]) => {
    const server = await startLocalServer({ port: 0, ...options });
    servers.push(server);
    return (headers: Record<string, string> = {}) => fetch(`${server.managementEndpoint}/stats`, { headers });
  };

  it('with auth on, wants what POST /publish accepts: an API key or a valid bearer token', async () => {
    const verifier = new JwtVerifier({ secret: SECRET });
    const stats = await start({
      auth: { mode: 'required', verifier },
      publishApi: { auth: { apiKeys: [API_KEY], verifier } },
    });
    const refused = await stats();
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ type: 'error', code: 'unauthorized' });
    expect((await stats({ 'x-api-key': API_KEY })).status).toBe(200);
    expect((await stats({ authorization: `Bearer ${API_KEY}` })).status).toBe(200);
    expect((await stats({ authorization: `Bearer ${await hsToken({ sub: 'ada' })}` })).status).toBe(200);
    expect((await stats({ 'x-api-key': `${API_KEY}x` })).status).toBe(401);
    expect(
      (await stats({ authorization: `Bearer ${await hsToken({}, 'another-secret-of-at-least-32-bytes!!')}` }))
        .status,
    ).toBe(401);
  });

  it('a bearer token is not enough when the publish API takes API keys only', async () => {
    const verifier = new JwtVerifier({ secret: SECRET });
    const stats = await start({
      auth: { mode: 'required', verifier },
      publishApi: { auth: { apiKeys: [API_KEY] } },
    });
    expect((await stats({ authorization: `Bearer ${await hsToken({ sub: 'ada' })}` })).status).toBe(401);
    expect((await stats({ 'x-api-key': API_KEY })).status).toBe(200);
  });

  it('open dev mode is open; open connections with API keys configured still want a key', async () => {
    expect((await (await start({}))()).status).toBe(200);
    expect((await (await start({ auth: { mode: 'open' } }))()).status).toBe(200);
    const keyed = await start({ auth: { mode: 'open' }, publishApi: { auth: { apiKeys: [API_KEY] } } });
    expect((await keyed()).status).toBe(401);
    expect((await keyed({ 'x-api-key': API_KEY })).status).toBe(200);
  });

  it('tells the page that connections need a token', async () => {
    const verifier = new JwtVerifier({ secret: SECRET });
    const server = await startLocalServer({ port: 0, auth: { mode: 'required', verifier } });
    servers.push(server);
    const html = await (await fetch(`${server.managementEndpoint}/`, { headers: HTML })).text();
    expect(html).toContain('data-auth="required"');
  });
});

describe('web console: disabled, and without esbuild', () => {
  it('console: false serves neither the page nor /stats', async () => {
    const server = await startLocalServer({ port: 0, console: false });
    try {
      expect((await fetch(`${server.managementEndpoint}/`, { headers: HTML })).status).toBe(426);
      expect((await fetch(`${server.managementEndpoint}/console/main.js`)).status).toBe(426);
      expect((await fetch(`${server.managementEndpoint}/stats`)).status).toBe(426);
    } finally {
      await server.close();
    }
  });

  it('answers 503 with what to do when esbuild is not installed, and keeps serving /stats', async () => {
    const routes = consoleRoutes({
      build: consoleAssetBuilder(() => Promise.reject(new Error("Cannot find package 'esbuild'"))),
      stats: () => ({
        connections: 0,
        subscriptions: null,
        topics: null,
        presence: null,
        messagesPerSecond: 0,
        deliveriesPerSecond: 0,
        totals: { publishes: 0, deliveries: 0, connects: 0, disconnects: 0 },
        uptimeSeconds: 0,
      }),
      statsAccess: async () => ({ ok: true }),
      authRequired: false,
    });
    const http = createServer((request, response) => {
      if (!routes(request, response)) response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    try {
      const page = await fetch(`${base}/`, { headers: HTML });
      expect(page.status).toBe(503);
      const text = await page.text();
      expect(text).toContain('esbuild');
      expect(text).toContain('npm install');
      expect(text).toContain('--no-console');
      expect((await fetch(`${base}/stats`)).status).toBe(200);
    } finally {
      await new Promise((resolve) => http.close(resolve));
    }
  });
});
