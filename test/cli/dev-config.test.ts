/**
 * `topicsocket dev` reads the Lambda's broker variables and the load-test flags, and they take effect: the
 * SDK meets each limit with its typed error. In process, against the real server the command starts.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.ts';
import { TopicsocketError } from '../../src/client/index.ts';
import { Clients } from '../client/support/clients.ts';
import { nextEvent } from '../client/support/events.ts';
import { recordingIo } from '../support/cli-in-process.ts';

describe('topicsocket dev configuration', () => {
  it('applies TOPICSOCKET_MAX_SUBSCRIPTIONS, TOPICSOCKET_HISTORY_*, --max-connections-per-ip and --publish-rate', async () => {
    const cli = recordingIo({
      TOPICSOCKET_MAX_SUBSCRIPTIONS: '1',
      TOPICSOCKET_HISTORY_MESSAGES: '2',
      TOPICSOCKET_HISTORY_SECONDS: '60',
      TOPICSOCKET_SEND_CONCURRENCY: '8',
      LOG_LEVEL: 'error',
    });
    const running = runCli(
      ['dev', '--port', '0', '--no-console', '--max-connections-per-ip', '2', '--publish-rate', '1/1'],
      cli.io,
    );
    const [, url] = (await cli.printed(/WebSocket URL\s+(ws:\/\/\S+)/)) as RegExpMatchArray;
    await cli.printed(/Press Ctrl-C/);
    const banner = cli.out.join('\n');
    expect(banner).toMatch(/history\s+2 messages, 60 s per topic/);
    expect(banner).toMatch(
      /limits\s+1 subscriptions per connection, publish 1\/1, 2 connections per address/,
    );
    expect(banner).toMatch(
      /not used by dev\s+TOPICSOCKET_SEND_CONCURRENCY \(deliveries are in-process, not @connections posts\)/,
    );

    const clients = new Clients();
    try {
      const client = await clients.connected({ url: url as string });
      await client.subscribe('a', () => {}).ready;
      await expect(client.subscribe('b', () => {}).ready).rejects.toMatchObject({
        code: 'too_many_subscriptions',
      });
      await client.publish('a', 1);
      const second = await client.publish('a', 2).catch((error: unknown) => error);
      expect(second).toBeInstanceOf(TopicsocketError);
      expect(second).toMatchObject({ code: 'rate_limited' });

      await clients.connected({ url: url as string });
      const third = clients.create({ url: url as string });
      const refused = await nextEvent(third, 'state', (change) => change.error !== undefined);
      expect(refused.error).toMatchObject({
        code: 'rate_limited',
        status: 429,
        serverMessage: 'at most 2 connections per address',
      });
    } finally {
      await clients.closeAll();
      cli.stop('SIGTERM');
    }
    expect(await running).toBe(0);
  });

  it('--max-connections-per-ip 0 and --publish-rate off lift both limits', async () => {
    const cli = recordingIo({ LOG_LEVEL: 'error' });
    const running = runCli(
      ['dev', '--port', '0', '--no-console', '--max-connections-per-ip', '0', '--publish-rate', 'off'],
      cli.io,
    );
    await cli.printed(/Press Ctrl-C/);
    expect(cli.out.join('\n')).toMatch(
      /limits\s+100 subscriptions per connection, publish unlimited, no per-address connection cap/,
    );
    const [, url] = (await cli.printed(/WebSocket URL\s+(ws:\/\/\S+)/)) as RegExpMatchArray;
    const clients = new Clients();
    try {
      const client = await clients.connected({ url: url as string, publishOrder: 'pipelined' });
      // Past the default burst of 200, all at once.
      const acks = await Promise.all(Array.from({ length: 250 }, (_, i) => client.publish('load', i)));
      expect(acks.map((ack) => ack.offset)).toEqual(Array.from({ length: 250 }, (_, i) => i + 1));
    } finally {
      await clients.closeAll();
      cli.stop('SIGTERM');
    }
    expect(await running).toBe(0);
  });
});
