import { beforeEach, describe, expect, it } from 'vitest';
import { Broker, type Store } from '../../src/core/index.ts';
import { MemoryStore } from '../../src/stores/index.ts';
import { wsEvent } from '../support/events.ts';
import { RecordingGateway } from '../support/recording-gateway.ts';

describe('Broker', () => {
  let store: MemoryStore;
  let gateway: RecordingGateway;
  let broker: Broker;

  const connect = async (id: string) => {
    const result = await broker.handle(wsEvent('$connect', id));
    expect(result.statusCode).toBe(200);
  };
  const send = async (id: string, frame: unknown) => {
    const body = typeof frame === 'string' ? frame : JSON.stringify(frame);
    const result = await broker.handle(wsEvent('$default', id, body));
    return result.body === undefined ? undefined : JSON.parse(result.body);
  };

  beforeEach(() => {
    store = new MemoryStore({ pageSize: 3 });
    gateway = new RecordingGateway();
    broker = new Broker({ store, gateway });
  });

  it('delivers a publish to every subscriber of the topic and acks the frames that carry an id', async () => {
    for (const id of ['a', 'b', 'c', 'd', 'e']) await connect(id);
    for (const id of ['a', 'b', 'c', 'd']) {
      expect(await send(id, { type: 'subscribe', topic: 'news', id: `s-${id}` })).toEqual({
        type: 'subscribed',
        topic: 'news',
        id: `s-${id}`,
        // History is on: the ack says where the topic's stream stands (nothing published yet).
        epoch: expect.any(String),
        offset: 0,
      });
    }
    expect(await send('e', { type: 'publish', topic: 'news', data: { n: 1 }, id: 7 })).toEqual({
      type: 'published',
      topic: 'news',
      id: 7,
      offset: 1,
      epoch: expect.any(String),
    });
    for (const id of ['a', 'b', 'c', 'd']) {
      expect(gateway.received(id)).toEqual([
        { type: 'message', topic: 'news', data: { n: 1 }, offset: 1, epoch: expect.any(String) },
      ]);
    }
    expect(gateway.received('e')).toEqual([]);
    // Two pages (3 + 1), one serialized frame shared by both.
    expect(gateway.sends.map((s) => s.ids.length)).toEqual([3, 1]);
    expect(new Set(gateway.sends.map((s) => s.frame)).size).toBe(1);
  });

  it('accepts the seed article frames unchanged and sends no ack for frames without an id', async () => {
    await connect('ws1');
    await connect('ws2');
    expect(await send('ws2', { type: 'subscribe', topic: 'general' })).toBeUndefined();
    expect(await send('ws1', { type: 'message', topic: 'general', message: 'count is 0' })).toBeUndefined();
    expect(gateway.received('ws2')).toEqual([
      { type: 'message', topic: 'general', data: 'count is 0', offset: 1, epoch: expect.any(String) },
    ]);
  });

  it('removes gone receivers with all their subscriptions and still delivers to the others', async () => {
    for (const id of ['a', 'b', 'c']) {
      await connect(id);
      await send(id, { type: 'subscribe', topic: 't1' });
      await send(id, { type: 'subscribe', topic: 't2' });
    }
    gateway.gone.add('b');
    gateway.failing.add('c');
    await send('a', { type: 'publish', topic: 't1', data: 'x' });
    expect(gateway.received('a')).toHaveLength(1);
    expect(await store.getConnection('b')).toBeUndefined();
    expect(await store.topicsOf('b')).toEqual([]);
    // A failed (not gone) receiver keeps its subscriptions: it may succeed next time.
    expect((await store.topicsOf('c')).sort()).toEqual(['t1', 't2']);
    const subscribers: string[] = [];
    for await (const page of store.subscribers('t2')) subscribers.push(...page);
    expect(subscribers.sort()).toEqual(['a', 'c']);
  });

  it('answers pings, unsubscribes, and stops delivering after unsubscribe or disconnect', async () => {
    await connect('a');
    await connect('b');
    expect(await send('a', { type: 'ping' })).toEqual({ type: 'pong' });
    expect(await send('a', { type: 'ping', id: 'p1' })).toEqual({ type: 'pong', id: 'p1' });
    await send('a', { type: 'subscribe', topic: 't' });
    await send('b', { type: 'subscribe', topic: 't' });
    expect(await send('a', { type: 'unsubscribe', topic: 't', id: 'u' })).toEqual({
      type: 'unsubscribed',
      topic: 't',
      id: 'u',
    });
    await broker.handle(wsEvent('$disconnect', 'b'));
    await send('a', { type: 'publish', topic: 't', data: 1 });
    expect(gateway.sends).toHaveLength(0);
    expect(store.stats()).toMatchObject({ connections: 1, topics: 0, subscriptions: 0 });
  });

  it.each([
    ['not json', '{', 'bad_json', undefined],
    ['an array', '[1,2]', 'bad_frame', undefined],
    ['a string', '"subscribe"', 'bad_frame', undefined],
    ['no type', '{"topic":"a","id":"x"}', 'unknown_type', 'x'],
    ['an unknown type', '{"type":"explode","id":3}', 'unknown_type', 3],
    ['a missing topic', '{"type":"subscribe","id":"m"}', 'bad_frame', 'm'],
    ['a numeric topic', '{"type":"subscribe","topic":5}', 'bad_frame', undefined],
    ['an empty topic', '{"type":"subscribe","topic":""}', 'invalid_topic', undefined],
    ['a control character', '{"type":"subscribe","topic":"a\\u0000b"}', 'invalid_topic', undefined],
    ['a space', '{"type":"subscribe","topic":"a b"}', 'invalid_topic', undefined],
    ['a dot-dot topic', '{"type":"publish","topic":"a/../b","data":1}', 'invalid_topic', undefined],
    [
      'a long topic',
      JSON.stringify({ type: 'subscribe', topic: 'x'.repeat(10_000) }),
      'invalid_topic',
      undefined,
    ],
    ['a publish without data', '{"type":"publish","topic":"a"}', 'bad_frame', undefined],
    [
      'an oversize frame',
      JSON.stringify({ type: 'publish', topic: 'a', data: 'x'.repeat(140_000) }),
      'payload_too_large',
      undefined,
    ],
  ])('answers %s with %s', async (_label, body, code, id) => {
    await connect('a');
    const reply = await send('a', body);
    expect(reply).toMatchObject({ type: 'error', code, retryable: false });
    expect(reply.message).toEqual(expect.any(String));
    expect(reply.id).toBe(id);
  });

  it('refuses a server-side publish whose message would exceed the size limit', async () => {
    broker = new Broker({ store, gateway, limits: { maxMessageBytes: 100 } });
    await expect(broker.publish('a', 'x'.repeat(100))).rejects.toMatchObject({ code: 'payload_too_large' });
    await expect(broker.publish('a b', 1)).rejects.toMatchObject({ code: 'invalid_topic' });
    expect(await broker.publish('a', 'small')).toMatchObject({ topic: 'a', delivered: 0 });
  });

  it('rejects binary frames with a clear code', async () => {
    await connect('a');
    const result = await broker.handle({ ...wsEvent('$default', 'a', 'AAEC'), isBase64Encoded: true });
    expect(JSON.parse(result.body!)).toMatchObject({ type: 'error', code: 'binary_unsupported' });
  });

  it('enforces the subscription limit and refuses subscriptions for unknown connections', async () => {
    broker = new Broker({ store, gateway, limits: { maxSubscriptionsPerConnection: 1 } });
    await connect('a');
    await send('a', { type: 'subscribe', topic: 'one' });
    expect(await send('a', { type: 'subscribe', topic: 'two', id: 2 })).toMatchObject({
      code: 'too_many_subscriptions',
      id: 2,
    });
    expect(await send('ghost', { type: 'subscribe', topic: 'one' })).toMatchObject({
      code: 'connection_unknown',
      retryable: true,
    });
  });

  it('turns a store failure into a retryable error instead of crashing', async () => {
    const broken: Store = new Proxy(store, {
      get(target, key, receiver) {
        if (key === 'subscribe')
          return async () => Promise.reject(new Error('ProvisionedThroughputExceeded'));
        return Reflect.get(target, key, receiver);
      },
    });
    broker = new Broker({ store: broken, gateway });
    await connect('a');
    expect(await send('a', { type: 'subscribe', topic: 't', id: 'x' })).toMatchObject({
      type: 'error',
      code: 'unavailable',
      retryable: true,
      id: 'x',
    });
  });
});
