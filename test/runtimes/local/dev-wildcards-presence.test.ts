/**
 * `topicsocket dev` (the CLI, in process, with its memory store) and real SDK clients: a wildcard
 * subscription receives a concrete topic's messages once, and presence lists members and reports a leave.
 */
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createClient, type PresenceEvent, type TopicsocketClient } from '../../../src/client/index.ts';
import { Inbox, nextEvent } from '../../client/support/events.ts';
import { runCliInProcess } from '../../support/cli-in-process.ts';

describe('topicsocket dev: wildcards and presence with SDK clients', () => {
  it('delivers through a pattern once, lists presence members and reports a leave', async () => {
    const dev = runCliInProcess(['dev', '--port', '0', '--log-level', 'warn']);
    const [, url] = (await dev.printed(/WebSocket URL\s+(\S+)/)) as [string, string];
    const clients: TopicsocketClient[] = [];
    const connected = async () => {
      const client = createClient({ url, WebSocket, reconnect: false });
      clients.push(client);
      if (client.state !== 'connected') await nextEvent(client, 'state', (c) => c.state === 'connected');
      return client;
    };
    try {
      const reader = await connected();
      const writer = await connected();
      const inbox = new Inbox<string>();
      const events: PresenceEvent[] = [];
      const left = new Promise<void>((resolve) => {
        reader.subscribe('dev/room', () => {}, {
          onPresence: (event) => {
            events.push(event);
            if (event.type === 'leave') resolve();
          },
        });
      });
      await reader.subscribe<string>('dev/*', inbox.listener).ready;
      await writer.subscribe('dev/room', () => {}, { onPresence: () => {} }).ready;
      await writer.publish('dev/room', 'hello');
      expect((await inbox.waitFor(1)).map((m) => [m.topic, m.data])).toEqual([['dev/room', 'hello']]);
      const page = await reader.presence('dev/room');
      expect(page.members).toHaveLength(2);
      await writer.close();
      await left;
      expect(events.filter((e) => e.type === 'join')).toHaveLength(2);
      expect((await reader.presence('dev/room')).members).toHaveLength(1);
      expect(inbox.received).toHaveLength(1);
    } finally {
      await Promise.all(clients.map((client) => client.close()));
      dev.stop('SIGINT');
      expect(await dev.exitCode).toBe(0);
    }
  });
});
