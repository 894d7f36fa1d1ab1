/** `topicsocket dev --history-messages/--history-seconds`, in process: the retention reaches the broker. */
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { CliIo } from '../../src/cli/io.ts';
import { runCli } from '../../src/cli/run.ts';
import { createClient } from '../../src/client/index.ts';
import { Inbox, nextEvent } from '../client/support/events.ts';

function io() {
  const out: string[] = [];
  const err: string[] = [];
  let stop: (signal: string) => void = () => {};
  const stopped = new Promise<string>((resolve) => {
    stop = resolve;
  });
  let onLine: (line: string) => void = () => {};
  const value: CliIo = {
    out: (line) => {
      out.push(line);
      onLine(line);
    },
    err: (line) => err.push(line),
    env: {},
    untilStopped: () => stopped,
  };
  const printed = (match: RegExp) =>
    new Promise<RegExpMatchArray>((resolve) => {
      const found = out.map((line) => line.match(match)).find(Boolean);
      if (found) return resolve(found);
      onLine = (line) => {
        const m = line.match(match);
        if (m) resolve(m);
      };
    });
  return { io: value, out, err, stop, printed };
}

describe('topicsocket dev: history options', () => {
  it('keeps the retention it is given, prints it, and recovery follows it', async () => {
    const cli = io();
    const running = runCli(['dev', '--port', '0', '--no-console', '--history-messages', '3'], cli.io);
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
    const off = io();
    const running = runCli(['dev', '--port', '0', '--no-console', '--history-messages', '0'], off.io);
    const [, url] = (await off.printed(/WebSocket URL\s+(ws:\/\/\S+)/)) as RegExpMatchArray;
    expect(off.out.join('\n')).toMatch(/history\s+off/);
    const client = createClient({ url: url as string, WebSocket });
    await nextEvent(client, 'state', (change) => change.state === 'connected');
    expect(await client.publish('t', 1)).toEqual({ topic: 't' });
    await client.close();
    off.stop('SIGTERM');
    expect(await running).toBe(0);

    const bad = io();
    expect(await runCli(['dev', '--port', '0', '--history-seconds', '0'], bad.io)).toBe(2);
    expect(bad.err).toEqual([
      `topicsocket dev: invalid configuration: --history-seconds must be an integer from 1 to 86400, got "0" (see topicsocket dev --help)`,
    ]);
  });
});
