/**
 * Recovery across a crash of the whole server process: `topicsocket dev --store dynamodb` is SIGKILLed (no
 * shutdown, no `$disconnect`), 500 messages are published through a second process on the same port and
 * DynamoDB Local table, and the subscriber's SDK gets every one of them, in order, once.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createClient, type GapReport, type TopicsocketClient } from '../../src/client/index.ts';
import { Inbox, nextEvent } from '../client/support/events.ts';
import { dynamoDbDevFlags, killCliProcesses, startDevCli } from '../support/cli-process.ts';
import { dynamoDbLocalEndpoint } from '../support/dynamodb-test-table.ts';

const clients: TopicsocketClient[] = [];

/** Starts `topicsocket dev` on DynamoDB Local; resolves with its WebSocket URL once it listens. */
function startDev(port: number, endpoint: string, table: string) {
  return startDevCli(dynamoDbDevFlags(port, endpoint, table));
}

describe('recovery across a server process crash (DynamoDB Local)', () => {
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
    killCliProcesses();
  });

  it('replays the 500 messages published while the subscriber was offline and the server had crashed', async () => {
    const endpoint = await dynamoDbLocalEndpoint();
    const table = `restart-${randomUUID().slice(0, 8)}`;
    const topic = 'orders';
    const first = await startDev(0, endpoint, table);
    const port = Number(new URL(first.url).port);

    let gate: Promise<void> = Promise.resolve();
    let reconnect = () => {};
    const subscriber = createClient({
      url: first.url,
      WebSocket,
      reconnect: { minDelayMs: 20, maxDelayMs: 200 },
      getToken: async () => {
        await gate;
        return undefined;
      },
    });
    clients.push(subscriber);
    const inbox = new Inbox<number>();
    const gaps: GapReport[] = [];
    subscriber.on('gap', (gap) => gaps.push(gap));
    await subscriber.subscribe<number>(topic, inbox.listener).ready;
    const publisher = createClient({
      url: first.url,
      WebSocket,
      reconnect: { minDelayMs: 20, maxDelayMs: 200 },
    });
    clients.push(publisher);
    for (const n of [0, 1, 2]) await publisher.publish(topic, n);
    await inbox.waitFor(3);

    // Crash: no shutdown, no $disconnect. Both clients lose their sockets; the subscriber stays offline.
    gate = new Promise((resolve) => {
      reconnect = resolve;
    });
    const lost = nextEvent(subscriber, 'state', (change) => change.state === 'reconnecting');
    first.cli.child.kill('SIGKILL');
    await lost;
    await startDev(port, endpoint, table);

    // The publisher reconnects to the new process by itself and publishes 500 more.
    if (publisher.state !== 'connected') {
      await nextEvent(publisher, 'state', (change) => change.state === 'connected', 20_000);
    }
    const acks = await Promise.all(Array.from({ length: 500 }, (_, i) => publisher.publish(topic, i + 3)));
    expect(acks.map((ack) => ack.offset)).toEqual(Array.from({ length: 500 }, (_, i) => i + 4));
    expect(new Set(acks.map((ack) => ack.epoch))).toEqual(new Set([inbox.received[0]?.epoch]));

    const resubscribed = nextEvent(subscriber, 'subscribed', (event) => event.resubscribed, 20_000);
    reconnect();
    expect(await resubscribed).toEqual({ topic, resubscribed: true, recovered: true });
    await inbox.waitFor(503, 20_000);
    await publisher.publish(topic, 503);
    const received = await inbox.waitFor(504);
    expect(received).toHaveLength(504);
    expect(inbox.data()).toEqual(Array.from({ length: 504 }, (_, i) => i));
    expect(received.map((message) => message.offset)).toEqual(Array.from({ length: 504 }, (_, i) => i + 1));
    expect(gaps).toEqual([]);
    // 500 publishes through a child process on DynamoDB Local: about 5 s on a quiet machine, far longer on a
    // loaded one; the assertions are on counts and order, so the budget is generous.
  }, 120_000);
});
