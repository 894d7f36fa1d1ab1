/** `topicsocket dev --history-messages/--history-seconds`, in process: the retention reaches the broker. */
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createClient } from '../../src/client/index.ts';
import { Inbox, nextEvent } from '../client/support/events.ts';
import { cliRunsPerTest } from '../support/cli-in-process.ts';

describe('topicsocket dev: history options', () => {
  const run = cliRunsPerTest();

  it('keeps the retention it is given, prints it, and recovery follows it', async () => {
    const cli = run(['dev', '--port', '0', '--no-console', '--history-messages', '3']);
    const running = cli.exitCode;
    const [, url] = (await cli.printed(/WebSocket URL\s+(ws:\/\/\S+)/)) as RegExpMatchArray;
    expect(cli.out.join('\n')).toMatch(/history\s+3 messages, 300 s per topic/);

    const client = createClient({ url: url as string, WebSocket });
    const inbox = new Inbox<number>();
    await client.subscribe<number>('t', inbox.listener).ready;
    for (const n of [1, 2, 3, 4, 5]) await client.publish('t', n);
    await inbox.waitFor(5);
    // Only the newest 3 are held: the history request shows the window the option set.
    const socket = new WebSocket(url as string);
    await new Promise((resolve) => socket.once('open', resolve));
    const answer = new Promise<string>((resolve) => socket.once('message', (data) => resolve(String(data))));
    socket.send(JSON.stringify({ type: 'history', topic: 't', id: 1 }));
    expect(JSON.parse(await answer).messages.map((m: { data: number }) => m.data)).toEqual([3, 4, 5]);
    socket.close();
    await client.close();
    cli.stop('SIGTERM');
    expect(await running).toBe(0);
  });

  it('turns history off with 0, and refuses values that are not whole numbers', async () => {
    const off = run(['dev', '--port', '0', '--no-console', '--history-messages', '0']);
    const running = off.exitCode;
    const [, url] = (await off.printed(/WebSocket URL\s+(ws:\/\/\S+)/)) as RegExpMatchArray;
    expect(off.out.join('\n')).toMatch(/history\s+off/);
    const client = createClient({ url: url as string, WebSocket });
    await nextEvent(client, 'state', (change) => change.state === 'connected');
    expect(await client.publish('t', 1)).toEqual({ topic: 't' });
    await client.close();
    off.stop('SIGTERM');
    expect(await running).toBe(0);

    const bad = run(['dev', '--port', '0', '--history-seconds', '0']);
    expect(await bad.exitCode).toBe(2);
    expect(bad.err).toEqual([
      `topicsocket dev: invalid configuration: --history-seconds must be an integer from 1 to 86400, got "0" (see topicsocket dev --help)`,
    ]);
  });
});
