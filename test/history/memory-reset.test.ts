/**
 * A memory-store server that restarts loses its history: topics come back with a new epoch. A client that
 * held a position in the old stream is told `recovered: false` and a `reset` gap, and follows the new stream.
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

  it('answers recovered: false with a reset gap, then delivers the new stream from its first offset', async () => {
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
    const resubscribed = await nextEvent(client, 'subscribed', (event) => event.resubscribed, 10_000);
    expect(resubscribed).toEqual({ topic: 'news', resubscribed: true, recovered: false });
    await second.broker?.publish('news', 'new-1');
    const received = await inbox.waitFor(3);
    expect(received.map((message) => [message.data, message.offset])).toEqual([
      ['old-1', 1],
      ['old-2', 2],
      ['new-1', 1],
    ]);
    expect(received[2]?.epoch).not.toBe(oldEpoch);
    expect(gaps).toEqual([{ topic: 'news', reason: 'reset', epoch: received[2]?.epoch }]);
  });
});
