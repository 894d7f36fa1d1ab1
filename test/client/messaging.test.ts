import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isTopicsocketError, type TopicsocketError } from '../../src/client/index.ts';
import { startLocalServer } from '../../src/runtimes/local/index.ts';
import { Clients } from './support/clients.ts';
import { Inbox, nextEvent, until } from './support/events.ts';
import { startTestServer, subscribersOf, type TestServer } from './support/servers.ts';

describe('client messaging against the local emulator', () => {
  let test: TestServer;
  const clients = new Clients();

  beforeAll(async () => {
    test = await startTestServer();
  });
  afterEach(() => clients.closeAll());
  afterAll(() => test.server.close());

  it('delivers published messages to subscribers, with typed data and acks', async () => {
    const alice = await clients.connected({ url: test.server.url });
    const bob = await clients.connected({ url: test.server.url });
    const inbox = new Inbox<{ text: string }>();
    const unsubscribe = alice.subscribe<{ text: string }>('room/1', inbox.listener);
    expect(unsubscribe.topic).toBe('room/1');
    await unsubscribe.ready;

    const ack = await bob.publish('room/1', { text: 'hi' });
    expect(ack).toEqual({ topic: 'room/1', offset: 1, epoch: expect.any(String) });
    const [message] = await inbox.waitFor(1);
    // The message carries the position the publisher's ack reported.
    expect(message).toEqual({ topic: 'room/1', data: { text: 'hi' }, offset: 1, epoch: ack.epoch });
  });

  it('acks a subscription made before the connection opened', async () => {
    const client = clients.create({ url: test.server.url });
    expect(client.state).toBe('connecting');
    const inbox = new Inbox<number>();
    const sub = client.subscribe<number>('early', inbox.listener);
    const subscribed = nextEvent(client, 'subscribed');
    await sub.ready;
    expect(await subscribed).toEqual({ topic: 'early', resubscribed: false });
    await client.publish('early', 7);
    expect((await inbox.waitFor(1)).map((m) => m.data)).toEqual([7]);
  });

  it('keeps the topic subscribed until its last listener goes', async () => {
    const client = await clients.connected({ url: test.server.url });
    const first = new Inbox<number>();
    const second = new Inbox<number>();
    const offFirst = client.subscribe<number>('shared', first.listener);
    const offSecond = client.subscribe<number>('shared', second.listener);
    await Promise.all([offFirst.ready, offSecond.ready]);
    expect(await subscribersOf(test.store, 'shared')).toHaveLength(1);

    offFirst();
    await client.publish('shared', 1);
    await second.waitFor(1);
    expect(first.received).toHaveLength(0);
    expect(await subscribersOf(test.store, 'shared')).toHaveLength(1);

    offSecond();
    offSecond(); // idempotent
    await expect.poll(() => subscribersOf(test.store, 'shared')).toEqual([]);
  });

  it('rejects `ready` with a typed error when the server refuses the topic, and emits it', async () => {
    const client = await clients.connected({ url: test.server.url });
    const emitted = nextEvent(client, 'error');
    const sub = client.subscribe('not a topic!', () => {});
    const error = (await sub.ready.catch((e: unknown) => e)) as TopicsocketError;
    expect(isTopicsocketError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'invalid_topic', retryable: false, topic: 'not a topic!' });
    expect((await emitted).code).toBe('invalid_topic');
    expect(client.state).toBe('connected');
  });

  it('rejects a refused publish with the server code, and an oversize one before sending it', async () => {
    const client = await clients.connected({ url: test.server.url, maxFrameBytes: 1024 });
    await expect(client.publish('bad topic', 1)).rejects.toMatchObject({
      name: 'TopicsocketError',
      code: 'invalid_topic',
      retryable: false,
    });
    await expect(client.publish('fine', 'x'.repeat(2000))).rejects.toMatchObject({
      code: 'frame_too_large',
      retryable: false,
    });
    // The connection survived both: an oversize frame would have been closed with 1009 by the gateway.
    expect(client.state).toBe('connected');
    await expect(client.publish('fine', 'small')).resolves.toEqual({
      topic: 'fine',
      offset: expect.any(Number),
      epoch: expect.any(String),
    });
  });

  it('iterates a topic with for-await; break unsubscribes on the server', async () => {
    const client = await clients.connected({ url: test.server.url });
    const stream = client.messages<number>('counter');
    await stream.ready;
    for (const n of [1, 2, 3]) await client.publish('counter', n);
    const seen: number[] = [];
    for await (const message of stream) {
      seen.push(message.data);
      if (seen.length === 3) break;
    }
    expect(seen).toEqual([1, 2, 3]);
    await expect.poll(() => subscribersOf(test.store, 'counter')).toEqual([]);
  });

  it('ends a for-await loop cleanly when the client closes', async () => {
    const client = await clients.connected({ url: test.server.url });
    const stream = client.messages<number>('until-close');
    await stream.ready;
    const seen: number[] = [];
    const loop = (async () => {
      for await (const message of stream) seen.push(message.data);
      return 'ended';
    })();
    await client.publish('until-close', 1);
    await until(() => seen.length === 1);
    await client.close();
    await expect(loop).resolves.toBe('ended');
    expect(client.state).toBe('closed');
  });

  it('bounds a stream that is read too slowly: drops the oldest message and says so', async () => {
    const client = await clients.connected({ url: test.server.url });
    const stream = client.messages<number>('slow-reader', { maxBuffered: 2 });
    const all = new Inbox<number>();
    await client.subscribe<number>('slow-reader', all.listener).ready;
    const overflow = nextEvent(client, 'error');
    for (const n of [1, 2, 3]) await client.publish('slow-reader', n);
    await all.waitFor(3);
    expect(await overflow).toMatchObject({ code: 'buffer_overflow', topic: 'slow-reader' });
    expect((await stream.next()).value?.data).toBe(2);
    expect((await stream.next()).value?.data).toBe(3);
    await stream.return();
    expect(await stream.next()).toEqual({ value: undefined, done: true });
  });

  it('makes a stream throw the refusal when the server refuses its topic', async () => {
    const client = await clients.connected({ url: test.server.url });
    const stream = client.messages('no spaces allowed');
    await expect(stream.next()).rejects.toMatchObject({ code: 'invalid_topic' });
  });

  it('reports a throwing listener on `error` and still calls the others', async () => {
    const client = await clients.connected({ url: test.server.url });
    const inbox = new Inbox<number>();
    const boom = new Error('boom');
    await client.subscribe('throws', () => {
      throw boom;
    }).ready;
    await client.subscribe<number>('throws', inbox.listener).ready;
    const error = nextEvent(client, 'error');
    await client.publish('throws', 1);
    expect(await error).toMatchObject({ code: 'listener_failed', topic: 'throws', cause: boom });
    await inbox.waitFor(1);
  });

  it("surfaces API Gateway's own error frame as internal_error, and ignores unknown frame types", async () => {
    const failing = await startLocalServer({
      port: 0,
      handler: async (event) => {
        if (event.requestContext.routeKey !== '$default') return { statusCode: 200 };
        if (event.body?.includes('"future"')) return { statusCode: 200, body: '{"type":"future_frame"}' };
        throw new Error('the Lambda crashed');
      },
    });
    try {
      const client = await clients.connected({ url: failing.url, ackTimeoutMs: 300 });
      const errors: TopicsocketError[] = [];
      client.on('error', (error) => errors.push(error));
      // A frame type this SDK does not know: no error; the publish just gets no ack.
      await expect(client.publish('future', 1)).rejects.toMatchObject({ code: 'timeout' });
      expect(errors).toEqual([]);
      // The integration fails: API Gateway answers {"message":"Internal server error",...} without an id.
      const emitted = nextEvent(client, 'error');
      await expect(client.publish('crash', 1)).rejects.toMatchObject({ code: 'timeout' });
      expect(await emitted).toMatchObject({ code: 'internal_error', retryable: true });
      expect(client.state).toBe('connected');
    } finally {
      await clients.closeAll();
      await failing.close();
    }
  });
});
