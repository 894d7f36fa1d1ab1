/**
 * Where the broker's History comes from: the store's own (`store.history`) by default, another one given
 * in the options, or none (a store without history, or `history: false`): then acks carry no position.
 */
import { describe, expect, it } from 'vitest';
import { Broker, type BrokerOptions, type Store } from '../../src/core/index.ts';
import { MemoryStore } from '../../src/stores/index.ts';
import { MemoryHistory } from '../../src/stores/memory/memory-history.ts';
import { wsEvent } from '../support/events.ts';
import { RecordingGateway } from '../support/recording-gateway.ts';

async function exercise(options: Omit<BrokerOptions, 'gateway'>) {
  const gateway = new RecordingGateway();
  const broker = new Broker({ ...options, gateway });
  const send = async (frame: unknown) => {
    const result = await broker.handle(wsEvent('$default', 'a', JSON.stringify(frame)));
    return result.body === undefined ? undefined : JSON.parse(result.body);
  };
  await broker.handle(wsEvent('$connect', 'a'));
  const subscribed = await send({ type: 'subscribe', topic: 't', id: 1 });
  const published = await send({ type: 'publish', topic: 't', data: 'x', id: 2 });
  const history = await send({ type: 'history', topic: 't', id: 3 });
  return { subscribed, published, history, delivered: gateway.received('a') };
}

/** The store with its `history` hidden: a store that keeps none. */
function withoutHistory(store: MemoryStore): Store {
  return new Proxy(store, {
    get: (target, key, receiver) => (key === 'history' ? undefined : Reflect.get(target, key, receiver)),
  });
}

describe('Broker history source', () => {
  it("uses the store's own History by default", async () => {
    const store = new MemoryStore();
    const { published, history } = await exercise({ store });
    expect(published).toMatchObject({ type: 'published', offset: 1, epoch: expect.any(String) });
    expect(history.messages).toEqual([{ offset: 1, data: 'x' }]);
    expect(store.history.size().messages).toBe(1);
  });

  it('uses a History given apart instead of the store’s', async () => {
    const store = new MemoryStore();
    const apart = new MemoryHistory(Date.now);
    const { published } = await exercise({ store, history: apart });
    expect(published).toMatchObject({ offset: 1 });
    expect(apart.size().messages).toBe(1);
    expect(store.history.size().messages).toBe(0);
  });

  it.each([
    ['a store that keeps no history', () => ({ store: withoutHistory(new MemoryStore()) })],
    ['history: false', () => ({ store: new MemoryStore(), history: false as const })],
    ['limits.history: false', () => ({ store: new MemoryStore(), limits: { history: false as const } })],
  ])('runs with history off for %s: no positions, empty history answers', async (_, options) => {
    const { subscribed, published, history, delivered } = await exercise(options());
    expect(subscribed).toEqual({ type: 'subscribed', topic: 't', id: 1 });
    expect(published).toEqual({ type: 'published', topic: 't', id: 2 });
    expect(history).toEqual({ type: 'history', topic: 't', id: 3, epoch: '', offset: 0, messages: [] });
    expect(delivered).toEqual([{ type: 'message', topic: 't', data: 'x' }]);
  });
});
