import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../../src/client/index.ts';
import { fastOptions } from './support/clients.ts';
import { Inbox, nextEvent, until } from './support/events.ts';
import { trackHandles } from './support/handles.ts';
import { startTestServer, type TestServer } from './support/servers.ts';
import { TcpProxy } from './support/tcp-proxy.ts';

/** Counts of the process's active handles by kind (TCPSocketWrap, Timeout, ...). */
function resources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}

/** Kinds of handle there are more of now than in `baseline`. */
function leaked(baseline: Record<string, number>): Record<string, number> {
  const extra: Record<string, number> = {};
  for (const [kind, count] of Object.entries(resources())) {
    if (count > (baseline[kind] ?? 0)) extra[kind] = count - (baseline[kind] ?? 0);
  }
  return extra;
}

describe('client lifecycle', () => {
  let test: TestServer;
  let proxy: TcpProxy;
  let handles: ReturnType<typeof trackHandles> | undefined;

  beforeAll(async () => {
    test = await startTestServer();
    proxy = await TcpProxy.start(test.server.port);
  });
  afterEach(() => handles?.stop());
  afterAll(async () => {
    await proxy.close();
    await test.server.close();
  });

  it('leaves no socket, timer or server connection behind after close()', async () => {
    await until(() => proxy.open === 0 && test.server.connections() === 0);
    const before = resources();
    handles = trackHandles();

    // Exercise every timer: keepalive pings, the age limit, a reconnect after a drop, pending acks.
    const client = createClient({
      ...fastOptions,
      url: proxy.url,
      pingIntervalMs: 50,
      maxConnectionAgeMs: 60_000,
    });
    const inbox = new Inbox<number>();
    await client.subscribe<number>('leaks', inbox.listener).ready;
    const back = nextEvent(client, 'subscribed', (event) => event.resubscribed);
    proxy.dropAll();
    await back;
    await client.publish('leaks', 1);
    await inbox.waitFor(1);
    expect(proxy.open).toBe(1);
    expect(handles.alive()).toContain('Timeout');
    expect(handles.alive()).toContain('TCPWRAP');

    await client.close();
    expect(client.state).toBe('closed');
    // Every timer and socket the client created is gone ...
    await until(() => handles?.alive().length === 0, 2_000).catch(() => {});
    expect(handles.alive()).toEqual([]);
    // ... the server and the proxy saw the connection end ...
    await until(() => proxy.open === 0 && test.server.connections() === 0);
    // ... and the process holds no more handles than before the client existed.
    await until(() => Object.keys(leaked(before)).length === 0, 2_000).catch(() => {});
    expect(leaked(before)).toEqual({});
  });

  it('leaves nothing behind when closed while waiting to reconnect', async () => {
    proxy.refuse = true;
    handles = trackHandles();
    // A long backoff, so a reconnect timer that close() forgot would still be pending below.
    const reconnect = { minDelayMs: 3_000, maxDelayMs: 3_000 };
    const client = createClient({ ...fastOptions, url: proxy.url, reconnect });
    const failed = await nextEvent(client, 'state', (change) => change.state === 'connecting');
    expect(failed.delayMs).toBe(3_000);
    expect(handles.alive()).toContain('Timeout');
    await client.close();
    proxy.refuse = false;
    await until(() => handles?.alive().length === 0, 1_000).catch(() => {});
    expect(handles.alive()).toEqual([]);
  });

  it('close() is idempotent and emits one closed state', async () => {
    const client = createClient({ ...fastOptions, url: test.server.url });
    const states: string[] = [];
    client.on('state', (change) => states.push(change.state));
    await nextEvent(client, 'state', (change) => change.state === 'connected');
    await Promise.all([client.close(), client.close()]);
    await client.close();
    expect(states).toEqual(['connected', 'closed']);
  });
});
