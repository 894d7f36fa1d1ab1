import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StateChange, TopicsocketClient } from '../../src/client/index.ts';
import { Clients } from './support/clients.ts';
import { Inbox, nextEvent } from './support/events.ts';
import { startTestServer, type TestServer } from './support/servers.ts';
import { TcpProxy } from './support/tcp-proxy.ts';

const isState = (state: StateChange['state']) => (change: StateChange) => change.state === state;

describe('client publishes while disconnected', () => {
  const clients = new Clients();
  let test: TestServer;
  let proxy: TcpProxy;
  let inbox: Inbox<number>;

  beforeEach(async () => {
    test = await startTestServer();
    proxy = await TcpProxy.start(test.server.port);
    // The subscriber connects directly, so it stays up while the publisher's path is cut.
    const subscriber = await clients.connected({ url: test.server.url });
    inbox = new Inbox<number>();
    await subscriber.subscribe<number>('offline', inbox.listener).ready;
  });

  afterEach(async () => {
    await clients.closeAll();
    await proxy.close();
    await test.server.close();
  });

  /** Cuts the publisher's network: drops its connection and refuses new ones until `proxy.refuse = false`. */
  async function cut(publisher: TopicsocketClient): Promise<void> {
    proxy.refuse = true;
    const lost = nextEvent(publisher, 'state', isState('reconnecting'));
    proxy.dropAll();
    await lost;
  }

  it('queues publishes while offline and delivers them in order after the reconnect', async () => {
    const publisher = await clients.connected({ url: proxy.url });
    await cut(publisher);
    const acks = [1, 2, 3].map((n) => publisher.publish('offline', n));
    // A failed reconnect attempt: the publishes are still waiting, not lost and not rejected.
    await nextEvent(publisher, 'state', isState('reconnecting'));
    expect(inbox.received).toHaveLength(0);

    proxy.refuse = false;
    await expect(Promise.all(acks)).resolves.toEqual(
      [1, 2, 3].map((offset) => ({ topic: 'offline', offset, epoch: expect.any(String) })),
    );
    await inbox.waitFor(3);
    expect(inbox.data()).toEqual([1, 2, 3]);
  });

  it('rejects publishes past the queue bound with queue_full, and still delivers the queued ones', async () => {
    const publisher = await clients.connected({ url: proxy.url, maxQueuedPublishes: 2 });
    await cut(publisher);
    const queued = [publisher.publish('offline', 1), publisher.publish('offline', 2)];
    await expect(publisher.publish('offline', 3)).rejects.toMatchObject({
      code: 'queue_full',
      retryable: true,
    });
    proxy.refuse = false;
    await Promise.all(queued);
    await inbox.waitFor(2);
    expect(inbox.data()).toEqual([1, 2]);
  });

  it("rejects publishes at once with offlinePublish: 'reject'", async () => {
    const publisher = await clients.connected({ url: proxy.url, offlinePublish: 'reject' });
    await cut(publisher);
    await expect(publisher.publish('offline', 1)).rejects.toMatchObject({
      name: 'TopicsocketError',
      code: 'not_connected',
      retryable: true,
    });
  });

  it('rejects queued publishes with `closed` when the client is closed before reconnecting', async () => {
    const publisher = await clients.connected({ url: proxy.url });
    await cut(publisher);
    const rejected = expect(publisher.publish('offline', 1)).rejects.toMatchObject({
      code: 'closed',
      retryable: false,
    });
    await publisher.close();
    await rejected;
  });

  it('rejects an unacknowledged publish with `closed` when the client is closed', async () => {
    const publisher = await clients.connected({ url: proxy.url });
    proxy.freeze();
    const rejected = expect(publisher.publish('offline', 1)).rejects.toMatchObject({
      code: 'closed',
      retryable: false,
    });
    await publisher.close();
    await rejected;
  });

  it('rejects an unacknowledged publish with connection_lost when the connection drops', async () => {
    const publisher = await clients.connected({ url: proxy.url });
    proxy.freeze(); // the publish frame goes nowhere, so no ack can come back
    const pending = publisher.publish('offline', 1);
    proxy.dropAll();
    await expect(pending).rejects.toMatchObject({ code: 'connection_lost', retryable: true });
  });

  it('rejects a publish with a timeout error when no ack comes in time', async () => {
    const publisher = await clients.connected({ url: proxy.url, ackTimeoutMs: 200 });
    proxy.freeze();
    await expect(publisher.publish('offline', 1)).rejects.toMatchObject({
      code: 'timeout',
      retryable: true,
      topic: 'offline',
    });
  });
});
