import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { afterEach, describe, expect, it } from 'vitest';
import type { StateChange, TopicsocketClient } from '../../src/client/index.ts';
import type { WebSocketEvent } from '../../src/core/index.ts';
import { type LocalServer, startLocalServer } from '../../src/runtimes/local/index.ts';
import { Clients } from './support/clients.ts';
import { Inbox, nextEvent, resubscribed } from './support/events.ts';
import { startTestServer, subscribersOf, type TestServer } from './support/servers.ts';
import { TcpProxy } from './support/tcp-proxy.ts';

const TOPICS = ['news', 'chat/42'];

/** Subscribes to every topic and waits for the acks; returns the inboxes. */
async function subscribeAll(client: TopicsocketClient): Promise<Map<string, Inbox<number>>> {
  const inboxes = new Map<string, Inbox<number>>();
  for (const topic of TOPICS) {
    const inbox = new Inbox<number>();
    inboxes.set(topic, inbox);
    await client.subscribe<number>(topic, inbox.listener).ready;
  }
  return inboxes;
}

/** Proves every subscription is live: publishes on each topic (from the client itself) and receives. */
async function expectAllSubscriptionsLive(
  client: TopicsocketClient,
  inboxes: Map<string, Inbox<number>>,
  value: number,
): Promise<void> {
  for (const [topic, inbox] of inboxes) {
    const count = inbox.received.length;
    await client.publish(topic, value);
    const received = await inbox.waitFor(count + 1);
    expect(received.at(-1)).toEqual({
      topic,
      data: value,
      offset: expect.any(Number),
      epoch: expect.any(String),
    });
  }
}

const isState = (state: StateChange['state']) => (change: StateChange) => change.state === state;

describe('client recovery against the local emulator', () => {
  const clients = new Clients();
  const cleanups: Array<() => Promise<void>> = [];

  afterEach(async () => {
    await clients.closeAll();
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function server(options: Parameters<typeof startTestServer>[0] = {}): Promise<TestServer> {
    const test = await startTestServer(options);
    cleanups.push(() => test.server.close());
    return test;
  }

  async function proxyTo(port: number): Promise<TcpProxy> {
    const proxy = await TcpProxy.start(port);
    cleanups.push(() => proxy.close());
    return proxy;
  }

  it('comes back after a server restart on the same port and resubscribes everything', async () => {
    let first: LocalServer | undefined = (await startTestServer()).server;
    cleanups.push(async () => first?.close());
    const client = await clients.connected({ url: first.url });
    const inboxes = await subscribeAll(client);
    await expectAllSubscriptionsLive(client, inboxes, 1);

    const lost = nextEvent(client, 'state', isState('reconnecting'));
    const port = first.port;
    await first.close();
    first = undefined;
    expect(await lost).toMatchObject({ state: 'reconnecting', previous: 'connected', code: 1001 });

    const back = resubscribed(client, TOPICS);
    await server({ port });
    await back;
    expect(client.state).toBe('connected');
    await expectAllSubscriptionsLive(client, inboxes, 2);
  });

  it('comes back after a server-side DeleteConnection (AWS SDK against the management endpoint)', async () => {
    const test = await server();
    const client = await clients.connected({ url: test.server.url });
    const inboxes = await subscribeAll(client);
    const [connectionId] = await subscribersOf(test.store, 'news');

    const management = new ApiGatewayManagementApiClient({
      endpoint: test.server.managementEndpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const lost = nextEvent(client, 'state', isState('reconnecting'));
    const back = resubscribed(client, TOPICS);
    await management.send(new DeleteConnectionCommand({ ConnectionId: connectionId }));
    management.destroy();
    expect(await lost).toMatchObject({ previous: 'connected', code: 1000 });
    await back;
    const [newId] = await subscribersOf(test.store, 'news');
    expect(newId).not.toBe(connectionId);
    await expectAllSubscriptionsLive(client, inboxes, 3);
  });

  it('comes back after the TCP connection is dropped', async () => {
    const test = await server();
    const proxy = await proxyTo(test.server.port);
    const client = await clients.connected({ url: proxy.url });
    const inboxes = await subscribeAll(client);

    const lost = nextEvent(client, 'state', isState('reconnecting'));
    const back = resubscribed(client, TOPICS);
    proxy.dropAll();
    expect(await lost).toMatchObject({ previous: 'connected', code: 1006 });
    await back;
    expect(proxy.accepted).toBe(2);
    await expectAllSubscriptionsLive(client, inboxes, 4);
  });

  it('resubscribes exactly the topics still wanted: many at once, none dropped while offline', async () => {
    const test = await server();
    const proxy = await proxyTo(test.server.port);
    const client = await clients.connected({ url: proxy.url });
    const topics = Array.from({ length: 50 }, (_, i) => `many/${i}`);
    const disposers = topics.map((topic) => client.subscribe(topic, () => {}));
    await Promise.all(disposers.map((dispose) => dispose.ready));

    proxy.refuse = true;
    const lost = nextEvent(client, 'state', isState('reconnecting'));
    proxy.dropAll();
    await lost;
    // Unsubscribed while offline: must not come back.
    for (const dispose of disposers.slice(0, 10)) dispose();
    const wanted = topics.slice(10);
    const back = resubscribed(client, wanted);
    proxy.refuse = false;
    await back;
    // The old connection's $disconnect removes its rows; then only the new connection is left.
    await expect.poll(() => subscribersOf(test.store, 'many/10')).toHaveLength(1);
    const [connectionId] = await subscribersOf(test.store, 'many/10');
    expect((await test.store.topicsOf(connectionId as string)).sort()).toEqual([...wanted].sort());
  });

  it('comes back after the gateway closes an idle connection', async () => {
    const test = await server({ limits: { idleTimeoutMs: 600 } });
    // Pings far apart: the connection goes idle on purpose.
    const client = await clients.connected({ url: test.server.url, pingIntervalMs: 60_000 });
    const inboxes = await subscribeAll(client);
    const lost = nextEvent(client, 'state', isState('reconnecting'));
    const back = resubscribed(client, TOPICS);
    expect(await lost).toMatchObject({ code: 1001 });
    await back;
    await expectAllSubscriptionsLive(client, inboxes, 5);
  });

  it('keeps an idle connection open with pings', async () => {
    const test = await server({ limits: { idleTimeoutMs: 400 } });
    const client = await clients.connected({ url: test.server.url, pingIntervalMs: 100 });
    const changes: StateChange[] = [];
    client.on('state', (change) => changes.push(change));
    // An observation window, not synchronization: three idle periods must pass without a close.
    await new Promise((resolve) => setTimeout(resolve, 1_300));
    expect(changes).toEqual([]);
    expect(test.server.connections()).toBe(1);
  });

  it('comes back after the gateway ends a connection at its maximum duration', async () => {
    const test = await server({ limits: { maxConnectionDurationMs: 800 } });
    const client = await clients.connected({ url: test.server.url });
    const inboxes = await subscribeAll(client);
    const lost = nextEvent(client, 'state', isState('reconnecting'));
    const back = resubscribed(client, TOPICS);
    expect(await lost).toMatchObject({ code: 1001 });
    await back;
    await expectAllSubscriptionsLive(client, inboxes, 6);
  });

  it('rolls over on its own before the maximum duration, at once and jittered', async () => {
    const test = await server();
    const client = await clients.connected({ url: test.server.url, maxConnectionAgeMs: 800 });
    const inboxes = await subscribeAll(client);
    const started = Date.now();
    const rollover = nextEvent(client, 'state', isState('reconnecting'));
    const back = resubscribed(client, TOPICS);
    const change = await rollover;
    expect(change).toMatchObject({ code: 1000, reason: 'rollover', delayMs: 0 });
    // 10% jitter below the configured age, never above it.
    expect(Date.now() - started).toBeLessThan(800 + 100);
    await back;
    await expectAllSubscriptionsLive(client, inboxes, 7);
  });

  it('lets in-flight publishes finish before a rollover', async () => {
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const slow = await startLocalServer({
      port: 0,
      handler: async (event) => {
        if (event.requestContext.routeKey !== '$default') return { statusCode: 200 };
        const frame = JSON.parse(event.body ?? '{}') as { topic: string; id: number };
        await held; // the first publish waits for the test
        return {
          statusCode: 200,
          body: JSON.stringify({ type: 'published', topic: frame.topic, id: frame.id }),
        };
      },
    });
    cleanups.push(() => slow.close());
    cleanups.push(async () => release()); // runs first (cleanups run in reverse), even if the test failed
    const client = await clients.connected({ url: slow.url, maxConnectionAgeMs: 200 });
    const changes: StateChange[] = [];
    client.on('state', (change) => changes.push(change));
    const publish = client.publish('slow', 1);
    // An observation window, not synchronization: the rollover falls due meanwhile but waits for the ack.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(changes).toEqual([]);
    const rollover = nextEvent(client, 'state', isState('reconnecting'));
    release();
    await expect(publish).resolves.toEqual({ topic: 'slow' });
    expect(await rollover).toMatchObject({ reason: 'rollover' });
  });

  it('detects a dead socket (no pong) and reconnects', async () => {
    const test = await server();
    const proxy = await proxyTo(test.server.port);
    const client = await clients.connected({ url: proxy.url, pingIntervalMs: 100, pongTimeoutMs: 300 });
    const inboxes = await subscribeAll(client);

    const dead = nextEvent(client, 'state', isState('reconnecting'));
    const back = resubscribed(client, TOPICS);
    proxy.freeze();
    expect(await dead).toMatchObject({ previous: 'connected', code: 1006, reason: 'ping_timeout' });
    await back;
    await expectAllSubscriptionsLive(client, inboxes, 8);
  });

  it('reconnects at once when the browser reports the network is back online', async () => {
    const test = await server();
    const proxy = await proxyTo(test.server.port);
    // Stand in for `window`: the SDK listens for `online` on the global object.
    const window = new EventTarget();
    const removed: string[] = [];
    const global = globalThis as Partial<Pick<EventTarget, 'addEventListener' | 'removeEventListener'>>;
    global.addEventListener = window.addEventListener.bind(window);
    global.removeEventListener = (
      type: string,
      listener: Parameters<EventTarget['removeEventListener']>[1],
    ) => {
      removed.push(type);
      window.removeEventListener(type, listener);
    };
    try {
      const reconnect = { minDelayMs: 60_000, maxDelayMs: 60_000 };
      const client = await clients.connected({ url: proxy.url, reconnect });
      const inboxes = await subscribeAll(client);
      const lost = nextEvent(client, 'state', isState('reconnecting'));
      const back = resubscribed(client, TOPICS);
      proxy.dropAll();
      expect((await lost).delayMs).toBe(60_000);
      window.dispatchEvent(new Event('online'));
      await back;
      await expectAllSubscriptionsLive(client, inboxes, 9);
      await client.close();
      expect(removed).toEqual(['online']);
    } finally {
      delete global.addEventListener;
      delete global.removeEventListener;
    }
  });

  it('asks getToken again on every reconnect and sends the token as ?token=', async () => {
    const connects: WebSocketEvent[] = [];
    const recording = await startLocalServer({
      port: 0,
      handler: async (event) => {
        if (event.requestContext.routeKey === '$connect') connects.push(event);
        return { statusCode: 200 };
      },
    });
    cleanups.push(() => recording.close());
    const proxy = await proxyTo(recording.port);
    let calls = 0;
    const client = await clients.connected({ url: proxy.url, getToken: async () => `token-${++calls}` });
    const back = nextEvent(client, 'state', isState('connected'));
    proxy.dropAll();
    await back;
    expect(calls).toBe(2);
    expect(connects.map((event) => event.queryStringParameters?.token)).toEqual(['token-1', 'token-2']);
  });

  it('retries when getToken fails, and reports it', async () => {
    const test = await server();
    let calls = 0;
    const client = clients.create({
      url: test.server.url,
      getToken: () => {
        calls++;
        if (calls === 1) throw new Error('token service down');
        return 'ok';
      },
    });
    const error = await nextEvent(client, 'error');
    expect(error).toMatchObject({ code: 'connect_failed', retryable: true });
    await nextEvent(client, 'state', isState('connected'));
    expect(calls).toBe(2);
  });

  /** A server whose answers to subscribe frames the test scripts: the n-th subscribe gets answers[n] or an ack. */
  async function scriptedServer(answers: Array<{ code: string; retryable: boolean }>) {
    const seen = { connects: 0, subscribes: 0 };
    const scripted = await startLocalServer({
      port: 0,
      handler: async (event) => {
        if (event.requestContext.routeKey === '$connect') seen.connects++;
        if (event.requestContext.routeKey !== '$default') return { statusCode: 200 };
        const frame = JSON.parse(event.body ?? '{}') as { type: string; topic: string; id: number };
        if (frame.type !== 'subscribe') return { statusCode: 200 };
        const answer = answers[seen.subscribes++];
        const reply = answer
          ? { type: 'error', message: 'scripted', id: frame.id, ...answer }
          : { type: 'subscribed', topic: frame.topic, id: frame.id };
        return { statusCode: 200, body: JSON.stringify(reply) };
      },
    });
    cleanups.push(() => scripted.close());
    return { url: scripted.url, seen };
  }

  it('retries a subscription refused with a retryable code on the same connection', async () => {
    const { url, seen } = await scriptedServer([{ code: 'unavailable', retryable: true }]);
    const client = await clients.connected({ url });
    const errors: string[] = [];
    client.on('error', (error) => errors.push(error.code));
    const subscribed = nextEvent(client, 'subscribed');
    const sub = client.subscribe('busy', () => {});
    await expect(sub.ready).rejects.toMatchObject({ code: 'unavailable', retryable: true });
    expect(await subscribed).toEqual({ topic: 'busy', resubscribed: false });
    expect(errors).toEqual(['unavailable']);
    expect(seen).toEqual({ connects: 1, subscribes: 2 });
  });

  it('reconnects and resubscribes when the server no longer knows the connection', async () => {
    const { url, seen } = await scriptedServer([{ code: 'connection_unknown', retryable: true }]);
    const client = await clients.connected({ url });
    const lost = nextEvent(client, 'state', isState('reconnecting'));
    const subscribed = nextEvent(client, 'subscribed');
    const sub = client.subscribe('forgotten', () => {});
    expect(await lost).toMatchObject({ reason: 'connection_unknown' });
    await sub.ready; // still pending across the reconnect, then acknowledged on the new connection
    expect(await subscribed).toEqual({ topic: 'forgotten', resubscribed: false });
    expect(seen).toEqual({ connects: 2, subscribes: 2 });
  });

  it('honours a disconnect frame with reconnect: false', async () => {
    const policy = await startLocalServer({
      port: 0,
      handler: async (event) => {
        if (event.requestContext.routeKey !== '$default') return { statusCode: 200 };
        const body = { type: 'disconnect', reason: 'policy', message: 'banned', reconnect: false };
        return { statusCode: 200, body: JSON.stringify(body) };
      },
    });
    cleanups.push(() => policy.close());
    const client = await clients.connected({ url: policy.url });
    const closed = nextEvent(client, 'state', isState('closed'));
    const sub = client.subscribe('anything', () => {});
    expect(await closed).toMatchObject({ state: 'closed', previous: 'connected', reason: 'policy' });
    await expect(sub.ready).rejects.toMatchObject({ code: 'closed' });
    await expect(client.publish('anything', 1)).rejects.toMatchObject({ code: 'closed', retryable: false });
    await expect.poll(() => policy.connections()).toBe(0);
  });

  it('reports the reason of a disconnect frame with reconnect: true, and reconnects', async () => {
    let disconnects = 0;
    const shutdown: LocalServer = await startLocalServer({
      port: 0,
      handler: async (event) => {
        const { routeKey, connectionId } = event.requestContext;
        if (routeKey !== '$default' || disconnects++ > 0) return { statusCode: 200 };
        // As a server going down does: say why in-band, then end the connection (DeleteConnection).
        setTimeout(() => {
          void fetch(`${shutdown.managementEndpoint}/@connections/${encodeURIComponent(connectionId)}`, {
            method: 'DELETE',
          });
        }, 0);
        const body = { type: 'disconnect', reason: 'server_shutdown', message: 'deploying', reconnect: true };
        return { statusCode: 200, body: JSON.stringify(body) };
      },
    });
    cleanups.push(() => shutdown.close());
    const client = await clients.connected({ url: shutdown.url });
    const lost = nextEvent(client, 'state', isState('reconnecting'));
    client.subscribe('anything', () => {});
    expect(await lost).toMatchObject({ previous: 'connected', code: 1000, reason: 'server_shutdown' });
    await nextEvent(client, 'state', isState('connected'));
  });

  it('gives up after reconnect.maxAttempts failed reconnect attempts in a row', async () => {
    const test = await server();
    const proxy = await proxyTo(test.server.port);
    const client = await clients.connected({
      url: proxy.url,
      reconnect: { minDelayMs: 10, maxDelayMs: 20, maxAttempts: 2 },
    });
    const closed = nextEvent(client, 'state', isState('closed'));
    proxy.refuse = true;
    proxy.dropAll();
    expect(await closed).toMatchObject({ previous: 'reconnecting', code: 1006 });
    // The first connection, then two reconnect attempts.
    expect(proxy.accepted).toBe(3);
  });

  it('rejects ready with timeout when the ack does not come, and subscribes on the next connection', async () => {
    const test = await server();
    const proxy = await proxyTo(test.server.port);
    const client = await clients.connected({ url: proxy.url, ackTimeoutMs: 200 });
    proxy.freeze();
    const emitted = nextEvent(client, 'error');
    const sub = client.subscribe<number>('late', () => {});
    await expect(sub.ready).rejects.toMatchObject({ code: 'timeout', retryable: true, topic: 'late' });
    expect(await emitted).toMatchObject({ code: 'timeout' });
    // Still wanted: the next connection subscribes it.
    const subscribed = nextEvent(client, 'subscribed');
    proxy.dropAll();
    expect(await subscribed).toEqual({ topic: 'late', resubscribed: false });
    expect(await subscribersOf(test.store, 'late')).toHaveLength(1);
  });

  it('stays closed after a drop when reconnect is disabled', async () => {
    const test = await server();
    const proxy = await proxyTo(test.server.port);
    const client = await clients.connected({ url: proxy.url, reconnect: false });
    const closed = nextEvent(client, 'state', isState('closed'));
    proxy.dropAll();
    expect(await closed).toMatchObject({ previous: 'connected', code: 1006 });
    expect(proxy.accepted).toBe(1);
  });
});
