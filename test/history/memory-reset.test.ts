/**
 * A memory-store server that restarts loses its history: topics come back with a new epoch. A client that
 * held a position in the old stream gets the new epoch replayed from its start (`recovered: false`,
 * `reset: 'replayed'`), so a message published right after the restart reaches it whenever it resubscribes;
 * its `reset` gap names only the old epoch's tail. (The same with the client held offline, on both stores:
 * recovery-suite.ts.)
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { GapReport } from '../../src/client/index.ts';
import { type LocalServer, startLocalServer } from '../../src/runtimes/local/index.ts';
import { Clients } from '../client/support/clients.ts';
import { Inbox, nextEvent } from '../client/support/events.ts';

describe('history after a memory store is lost', () => {
  const clients = new Clients();
  const servers: LocalServer[] = [];
  afterEach(async () => {
    await clients.closeAll();
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });
  const serve = async (port: number) => {
    // Each server creates its own MemoryStore, as `npm start` does after a restart.
    const server = await startLocalServer({ port, console: false, publishApi: false });
    servers.push(server);
    return server;
  };

  it('delivers a message published right after the restart, before or after the client resubscribes', async () => {
    const first = await serve(0);
    const client = clients.create({ url: first.url });
    const inbox = new Inbox<string>();
    const gaps: GapReport[] = [];
    client.on('gap', (gap) => gaps.push(gap));
    await client.subscribe<string>('news', inbox.listener).ready;
    await first.broker?.publish('news', 'old-1');
    await first.broker?.publish('news', 'old-2');
    await inbox.waitFor(2);
    const oldEpoch = inbox.received[0]?.epoch;

    const lost = nextEvent(client, 'state', (change) => change.state === 'reconnecting');
    await first.close();
    await lost;
    const second = await serve(first.port);
    const resubscribed = nextEvent(client, 'subscribed', (event) => event.resubscribed, 10_000);
    // At once: the client is usually still waiting out its backoff, as in the README's console scenario.
    await second.broker?.publish('news', 'new-1');
    expect(await resubscribed).toEqual({
      topic: 'news',
      resubscribed: true,
      recovered: false,
      reset: 'replayed',
    });
    const received = await inbox.waitFor(3);
    await second.broker?.publish('news', 'new-2');
    await inbox.waitFor(4);
    expect(received.map((message) => [message.data, message.offset])).toEqual([
      ['old-1', 1],
      ['old-2', 2],
      ['new-1', 1],
      ['new-2', 2],
    ]);
    expect(received[2]?.epoch).not.toBe(oldEpoch);
    expect(gaps).toEqual([{ topic: 'news', reason: 'reset', epoch: oldEpoch, from: 3 }]);
  });
});
