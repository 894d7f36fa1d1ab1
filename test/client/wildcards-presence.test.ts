/**
 * The SDK end to end on the local server (the server `topicsocket dev` runs), with real WebSockets:
 * wildcard subscriptions (one copy per message, the concrete topic, recovery of every concrete topic it had
 * a position in after a dropped connection), and presence (members, join/leave callbacks).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PresenceEvent } from '../../src/client/index.ts';
import { Clients } from './support/clients.ts';
import { Inbox, nextEvent, resubscribed } from './support/events.ts';
import { startTestServer, type TestServer } from './support/servers.ts';
import { TcpProxy } from './support/tcp-proxy.ts';

/** Collects presence events and lets a test await a number of them. */
class PresenceLog {
  readonly events: PresenceEvent[] = [];
  private waiters: Array<{ test: () => boolean; resolve: () => void }> = [];
  readonly listener = (event: PresenceEvent): void => {
    this.events.push(event);
    this.waiters = this.waiters.filter((waiter) => {
      if (!waiter.test()) return true;
      waiter.resolve();
      return false;
    });
  };
  until(test: (events: PresenceEvent[]) => boolean, timeoutMs = 5_000): Promise<void> {
    if (test(this.events)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`presence: ${JSON.stringify(this.events)}`)),
        timeoutMs,
      );
      this.waiters.push({
        test: () => test(this.events),
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }
}

describe('SDK: wildcard subscriptions and presence on the local server', () => {
  let test: TestServer;
  const clients = new Clients();
  const proxies: TcpProxy[] = [];

  beforeAll(async () => {
    test = await startTestServer();
  });
  afterEach(async () => {
    await clients.closeAll();
    for (const proxy of proxies.splice(0)) await proxy.close();
  });
  afterAll(() => test.server.close());

  it('hands one copy of each message to every matching subscription, with the concrete topic', async () => {
    const reader = await clients.connected({ url: test.server.url });
    const writer = await clients.connected({ url: test.server.url });
    const all = new Inbox<number>();
    const one = new Inbox<number>();
    const everything = new Inbox<number>();
    const a = reader.subscribe<number>('shop/orders/*', all.listener);
    const b = reader.subscribe<number>('shop/orders/7', one.listener);
    const c = reader.subscribe<number>('*', everything.listener);
    await Promise.all([a.ready, b.ready, c.ready]);
    await writer.publish('shop/orders/7', 1);
    await writer.publish('shop/orders/eu/9', 2);
    await writer.publish('shop/other', 3);
    expect((await all.waitFor(2)).map((m) => [m.topic, m.data, m.offset])).toEqual([
      ['shop/orders/7', 1, 1],
      ['shop/orders/eu/9', 2, 1],
    ]);
    expect((await one.waitFor(1)).map((m) => m.data)).toEqual([1]);
    expect((await everything.waitFor(3)).map((m) => m.topic)).toEqual([
      'shop/orders/7',
      'shop/orders/eu/9',
      'shop/other',
    ]);
    // The server sent one frame per publish to this connection, whatever matched: no duplicate reached a listener.
    expect(all.received).toHaveLength(2);
    expect(one.received).toHaveLength(1);
  });

  it('recovers, after a dropped connection, every concrete topic it had a position in', async () => {
    const proxy = await TcpProxy.start(test.server.port);
    proxies.push(proxy);
    const reader = await clients.connected({ url: proxy.url });
    const writer = await clients.connected({ url: test.server.url });
    const inbox = new Inbox<string>();
    await reader.subscribe<string>('rec/*', inbox.listener).ready;
    await writer.publish('rec/a', 'a1');
    await writer.publish('rec/b', 'b1');
    await inbox.waitFor(2);
    // Cut the network, publish while away (to known topics and to a topic it never saw), then come back.
    proxy.refuse = true;
    const lost = nextEvent(reader, 'state', (change) => change.state === 'reconnecting');
    proxy.dropAll();
    await lost;
    await writer.publish('rec/a', 'a2');
    await writer.publish('rec/b', 'b2');
    await writer.publish('rec/new', 'n1');
    const back = resubscribed(reader, ['rec/*']);
    const subscribed = nextEvent(reader, 'subscribed', (event) => event.resubscribed);
    proxy.refuse = false;
    await back;
    expect(await subscribed).toEqual({ topic: 'rec/*', resubscribed: true, recovered: true });
    await writer.publish('rec/new', 'n2');
    const received = await inbox.waitFor(5);
    // Replayed: what it missed of the topics it knew. Not replayed: the new topic's message from while away.
    expect(received.map((m) => m.data)).toEqual(['a1', 'b1', 'a2', 'b2', 'n2']);
    expect(received.at(-1)).toMatchObject({ topic: 'rec/new', offset: 2 });
  });

  it('lists presence members and reports joins and leaves to presence listeners', async () => {
    const alice = await clients.connected({ url: test.server.url });
    const bob = await clients.connected({ url: test.server.url });
    const watcher = await clients.connected({ url: test.server.url });
    const log = new PresenceLog();
    await watcher.subscribe('lobby/1', () => {}, { onPresence: log.listener }).ready;
    await alice.subscribe('lobby/1', () => {}, { onPresence: () => {} }).ready;
    await bob.subscribe('lobby/1', () => {}, { onPresence: () => {} }).ready;
    // A plain subscriber: receives messages, is not a member.
    await watcher.subscribe('lobby/1/chat', () => {}).ready;
    await log.until((events) => events.filter((e) => e.type === 'join').length === 3);
    const page = await alice.presence('lobby/1');
    expect(page.topic).toBe('lobby/1');
    expect(page.members).toHaveLength(3);
    const first = await alice.presence('lobby/1', { limit: 2 });
    expect(first.members).toHaveLength(2);
    const rest = await alice.presence('lobby/1', { after: first.next as string });
    expect([...first.members, ...rest.members].map((m) => m.connectionId)).toEqual(
      page.members.map((m) => m.connectionId),
    );
    const bobId = (log.events.at(-1) as Extract<PresenceEvent, { type: 'join' }>).member.connectionId;
    await bob.close();
    await log.until((events) => events.some((e) => e.type === 'leave'));
    expect(log.events.at(-1)).toEqual({ type: 'leave', topic: 'lobby/1', connectionId: bobId });
    expect((await alice.presence('lobby/1')).members.map((m) => m.connectionId)).not.toContain(bobId);
  });
});
