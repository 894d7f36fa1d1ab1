/**
 * Wildcard subscriptions and presence through the Broker (memory store, a recording gateway): delivery
 * once per connection with the concrete topic, recovery per concrete topic, presence permissions, pages,
 * ghosts, join/leave and the per-topic cap under churn.
 */
import { describe, expect, it } from 'vitest';
import { JwtVerifier } from '../../src/core/auth/index.ts';
import { Broker, type BrokerOptions, type Gateway } from '../../src/core/index.ts';
import { tokenSubprotocols } from '../../src/protocol/index.ts';
import { MemoryStore } from '../../src/stores/index.ts';
import { hsToken, SECRET } from '../security/support/tokens.ts';
import { wsEvent } from '../support/events.ts';
import { RecordingGateway } from '../support/recording-gateway.ts';

/** A recording gateway that also answers the presence ghost check: ids in `gone` no longer exist. */
class ProbingGateway extends RecordingGateway implements Gateway {
  probes = 0;
  async findGone(connectionIds: readonly string[]): Promise<string[]> {
    this.probes++;
    return connectionIds.filter((id) => this.gone.has(id));
  }
}

function setup(options: Partial<BrokerOptions> = {}) {
  let clock = Date.now();
  const store = new MemoryStore({ now: () => clock });
  const gateway = new ProbingGateway();
  const broker = new Broker({ store, gateway, now: () => clock, ...options });
  const connect = (id: string, token?: string) =>
    broker.handle(
      wsEvent(
        '$connect',
        id,
        undefined,
        token ? { headers: { 'Sec-WebSocket-Protocol': tokenSubprotocols(token).join(', ') } } : {},
      ),
    );
  const send = async (id: string, frame: unknown) => {
    const result = await broker.handle(wsEvent('$default', id, JSON.stringify(frame)));
    return result.body === undefined ? undefined : JSON.parse(result.body);
  };
  const frames = (id: string) => gateway.received(id) as Array<{ type: string; [key: string]: unknown }>;
  const ofType = (id: string, type: string) => frames(id).filter((frame) => frame.type === type);
  return {
    store,
    gateway,
    broker,
    connect,
    send,
    frames,
    ofType,
    advance: (ms: number) => {
      clock += ms;
    },
  };
}

describe('wildcard subscriptions through the broker', () => {
  it('delivers every topic under the prefix once per connection, with the concrete topic and its position', async () => {
    const { connect, send, ofType } = setup();
    await connect('both');
    await connect('pattern');
    await connect('other');
    expect(await send('both', { type: 'subscribe', topic: 'orders/*', id: 1 })).toEqual({
      type: 'subscribed',
      topic: 'orders/*',
      id: 1,
    });
    await send('both', { type: 'subscribe', topic: 'orders/7', id: 2 });
    await send('both', { type: 'subscribe', topic: '*', id: 3 });
    await send('pattern', { type: 'subscribe', topic: 'orders/eu/*', id: 4 });
    await send('other', { type: 'subscribe', topic: 'invoices/*', id: 5 });
    const published = await send('other', { type: 'publish', topic: 'orders/7', data: { n: 1 }, id: 6 });
    await send('other', { type: 'publish', topic: 'orders/eu/9', data: { n: 2 } });
    await send('other', { type: 'publish', topic: 'orders', data: { n: 3 } });
    expect(published).toMatchObject({ type: 'published', topic: 'orders/7', offset: 1 });
    expect(ofType('both', 'message')).toEqual([
      { type: 'message', topic: 'orders/7', data: { n: 1 }, offset: 1, epoch: expect.any(String) },
      { type: 'message', topic: 'orders/eu/9', data: { n: 2 }, offset: 1, epoch: expect.any(String) },
      // Only `*` matches `orders` itself.
      { type: 'message', topic: 'orders', data: { n: 3 }, offset: 1, epoch: expect.any(String) },
    ]);
    expect(ofType('pattern', 'message').map((m) => m.topic)).toEqual(['orders/eu/9']);
    expect(ofType('other', 'message')).toEqual([]);
    // Unsubscribing the pattern ends it; the exact subscription stays.
    await send('both', { type: 'unsubscribe', topic: 'orders/*', id: 7 });
    await send('both', { type: 'unsubscribe', topic: '*', id: 8 });
    await send('other', { type: 'publish', topic: 'orders/8', data: 4 });
    await send('other', { type: 'publish', topic: 'orders/7', data: 5 });
    expect(ofType('both', 'message').map((m) => m.data)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }, 5]);
  });

  it('refuses patterns outside the permissions, and options a pattern cannot take', async () => {
    const { connect, send } = setup({
      auth: { mode: 'required', verifier: new JwtVerifier({ secret: SECRET }) },
    });
    await connect('c', await hsToken({ subscribe: ['orders/*', 'chat/lobby'] }));
    expect(await send('c', { type: 'subscribe', topic: 'orders/eu/*', id: 1 })).toMatchObject({
      type: 'subscribed',
    });
    expect(await send('c', { type: 'subscribe', topic: 'chat/*', id: 2 })).toMatchObject({
      code: 'forbidden',
    });
    expect(await send('c', { type: 'subscribe', topic: '*', id: 3 })).toMatchObject({ code: 'forbidden' });
    expect(await send('c', { type: 'subscribe', topic: 'ord*', id: 4 })).toMatchObject({
      code: 'invalid_topic',
    });
    expect(
      await send('c', { type: 'subscribe', topic: 'orders/*', since: { epoch: 'e', offset: 1 }, id: 5 }),
    ).toMatchObject({ code: 'bad_frame' });
    expect(await send('c', { type: 'subscribe', topic: 'orders/*', presence: true, id: 6 })).toMatchObject({
      code: 'bad_frame',
    });
    expect(
      await send('c', {
        type: 'subscribe',
        topic: 'orders/*',
        positions: { 'invoices/1': { epoch: 'e', offset: 1 } },
        id: 7,
      }),
    ).toMatchObject({ code: 'bad_frame', message: expect.stringContaining('not a topic under orders/*') });
    expect(await send('c', { type: 'publish', topic: 'orders/*', data: 1, id: 8 })).toMatchObject({
      code: 'invalid_topic',
    });
    expect(await send('c', { type: 'history', topic: 'orders/*', id: 9 })).toMatchObject({
      code: 'invalid_topic',
    });
  });

  it('recovers every concrete topic it had a position in, and says what a topic first seen now starts at', async () => {
    const { connect, send, frames, broker } = setup();
    await connect('pub');
    await broker.publish('orders/7', 'a1');
    await broker.publish('orders/7', 'a2');
    await broker.publish('orders/9', 'b1');
    const seven = await send('pub', { type: 'history', topic: 'orders/7', id: 1 });
    const nine = await send('pub', { type: 'history', topic: 'orders/9', id: 2 });
    // The client saw orders/7 up to 1 and orders/9 up to 1, then was away while these were published.
    await broker.publish('orders/7', 'a3');
    await broker.publish('orders/new', 'first while away');
    await connect('back');
    const ack = await send('back', {
      type: 'subscribe',
      topic: 'orders/*',
      positions: {
        'orders/7': { epoch: seven.epoch, offset: 1 },
        'orders/9': { epoch: nine.epoch, offset: 1 },
      },
      id: 3,
    });
    expect(ack).toEqual({
      type: 'subscribed',
      topic: 'orders/*',
      id: 3,
      recovered: true,
      positions: {
        'orders/7': { epoch: seven.epoch, offset: 3, recovered: true },
        'orders/9': { epoch: nine.epoch, offset: 1, recovered: true },
      },
    });
    // Replayed before the ack: exactly what it missed of the topics it knew; nothing of orders/new.
    expect(frames('back').map((f) => [f.topic, f.data])).toEqual([
      ['orders/7', 'a2'],
      ['orders/7', 'a3'],
    ]);
    await broker.publish('orders/new', 'live');
    expect(frames('back').at(-1)).toMatchObject({ topic: 'orders/new', data: 'live', offset: 2 });
    // A position history no longer holds, or another epoch, is reported per topic.
    await connect('stale');
    const stale = await send('stale', {
      type: 'subscribe',
      topic: 'orders/*',
      positions: { 'orders/7': { epoch: 'another-epoch', offset: 10 } },
      id: 4,
    });
    expect(stale).toMatchObject({
      recovered: false,
      positions: { 'orders/7': { recovered: false, reset: 'replayed', epoch: seven.epoch, offset: 3 } },
    });
  });
});

describe('presence through the broker', () => {
  it('lists members with their shown claims, in capped pages; plain subscribers are not members', async () => {
    const verifier = new JwtVerifier({ secret: SECRET });
    const { connect, send } = setup({ auth: { mode: 'required', verifier } });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const id = `m${i}`;
      ids.push(id);
      await connect(id, await hsToken({ sub: `user-${i}`, subscribe: ['room/*'], email: 'hidden' }));
      expect(await send(id, { type: 'subscribe', topic: 'room/1', presence: true, id: 1 })).toMatchObject({
        type: 'subscribed',
      });
    }
    await connect('plain', await hsToken({ sub: 'plain', subscribe: ['room/*'] }));
    await send('plain', { type: 'subscribe', topic: 'room/1', id: 1 });
    const first = await send('plain', { type: 'presence', topic: 'room/1', limit: 3, id: 2 });
    expect(first).toEqual({
      type: 'presence',
      topic: 'room/1',
      id: 2,
      members: ids.slice(0, 3).map((connectionId, i) => ({ connectionId, claims: { sub: `user-${i}` } })),
      next: 'm2',
    });
    const second = await send('plain', {
      type: 'presence',
      topic: 'room/1',
      after: first.next,
      limit: 500,
      id: 3,
    });
    expect(second.members.map((m: { connectionId: string }) => m.connectionId)).toEqual(['m3', 'm4']);
    expect(second.next).toBeUndefined();
  });

  it('needs the presence permission: off for topics the client cannot subscribe to, or as its presence claim says', async () => {
    const verifier = new JwtVerifier({ secret: SECRET });
    const { connect, send } = setup({ auth: { mode: 'required', verifier } });
    await connect('a', await hsToken({ subscribe: ['room/*'] }));
    await connect('b', await hsToken({ subscribe: ['room/*'], presence: ['room/public/*'] }));
    expect(await send('a', { type: 'presence', topic: 'lobby', id: 1 })).toMatchObject({ code: 'forbidden' });
    expect(await send('a', { type: 'presence', topic: 'room/1', id: 2 })).toMatchObject({ type: 'presence' });
    expect(await send('b', { type: 'presence', topic: 'room/1', id: 3 })).toMatchObject({
      code: 'forbidden',
    });
    expect(await send('b', { type: 'subscribe', topic: 'room/1', presence: true, id: 4 })).toMatchObject({
      code: 'forbidden',
    });
    expect(await send('b', { type: 'presence', topic: 'room/public/1', id: 5 })).toMatchObject({
      type: 'presence',
    });
  });

  it('sends join and leave to the members, for unsubscribe, disconnect and a connection found gone', async () => {
    const { connect, send, ofType, gateway, broker } = setup();
    await connect('a');
    await connect('b');
    await connect('c');
    await send('a', { type: 'subscribe', topic: 'room', presence: true });
    await send('b', { type: 'subscribe', topic: 'room', presence: true });
    // A renewal is the same member: no second join.
    await send('b', { type: 'subscribe', topic: 'room', presence: true });
    await send('c', { type: 'subscribe', topic: 'room', presence: true });
    expect(ofType('a', 'join').map((f) => (f.member as { connectionId: string }).connectionId)).toEqual([
      'a',
      'b',
      'c',
    ]);
    await send('c', { type: 'unsubscribe', topic: 'room' });
    await broker.handle(wsEvent('$disconnect', 'b'));
    expect(ofType('a', 'leave')).toEqual([
      { type: 'leave', topic: 'room', connectionId: 'c' },
      { type: 'leave', topic: 'room', connectionId: 'b' },
    ]);
    // c left presence, so it hears nothing more of it.
    expect(ofType('c', 'leave')).toEqual([]);
    // A member whose socket vanished without $disconnect: found gone by the next send to it.
    await connect('d');
    await send('d', { type: 'subscribe', topic: 'room', presence: true });
    gateway.gone.add('d');
    await broker.publish('room', 'hello');
    expect(ofType('a', 'leave').at(-1)).toEqual({ type: 'leave', topic: 'room', connectionId: 'd' });
  });

  it('never lists a ghost: a missed $disconnect (checked against the gateway) or an expired member', async () => {
    const { connect, send, gateway, ofType, advance, store } = setup();
    await connect('live');
    await connect('ghost');
    await send('live', { type: 'subscribe', topic: 'room', presence: true });
    await send('ghost', { type: 'subscribe', topic: 'room', presence: true });
    gateway.gone.add('ghost'); // its $disconnect never came
    const answer = await send('live', { type: 'presence', topic: 'room', id: 1 });
    expect(answer.members).toEqual([{ connectionId: 'live' }]);
    expect(gateway.probes).toBe(1);
    // Removed, not only hidden; and its leave went out.
    expect(await store.getConnection('ghost')).toBeUndefined();
    expect(ofType('live', 'leave')).toEqual([{ type: 'leave', topic: 'room', connectionId: 'ghost' }]);
    // Past the TTL a member is gone whatever the gateway says.
    advance(3 * 3600 * 1000);
    expect((await store.presence.members('room', { limit: 10 })).members).toEqual([]);
  });

  it("shows onConnect's user data, and keeps an answer within one message by moving members to the next page", async () => {
    const { connect, send, store, broker } = setup({ limits: { maxMessageBytes: 4096 } });
    const big = 'x'.repeat(1500);
    for (const id of ['u1', 'u2', 'u3']) {
      await connect(id);
      // What the hooks' onConnect attaches: the record's `user` (written here as the hooks branch stores it).
      const record = await store.getConnection(id);
      await store.putConnection({
        ...(record as NonNullable<typeof record>),
        user: { name: id, big },
      } as never);
      await send(id, { type: 'subscribe', topic: 'room', presence: true });
    }
    const first = await send('u1', { type: 'presence', topic: 'room', id: 1 });
    expect(first.members.length).toBeLessThan(3);
    expect(first.members[0]).toEqual({ connectionId: 'u1', user: { name: 'u1', big } });
    expect(JSON.stringify(first).length).toBeLessThanOrEqual(4096);
    const rest = await send('u1', { type: 'presence', topic: 'room', after: first.next, id: 2 });
    expect([...first.members, ...rest.members].map((m: { connectionId: string }) => m.connectionId)).toEqual([
      'u1',
      'u2',
      'u3',
    ]);
    broker.dispose();
  });

  it('caps join/leave per topic and second under a reconnect storm, with one presence_resync', async () => {
    const { connect, send, ofType, gateway, broker, advance } = setup({
      limits: { presenceEventsPerSecond: 3 },
    });
    // Freeze the second the storm happens in, so the cap is what is measured.
    const ids = Array.from({ length: 20 }, (_, i) => `s${i}`);
    for (const id of ids) await connect(id);
    await connect('watcher');
    await send('watcher', { type: 'subscribe', topic: 'room', presence: true });
    advance(1000);
    const before = gateway.sends.length;
    for (const id of ids) await send(id, { type: 'subscribe', topic: 'room', presence: true });
    for (const id of ids) await broker.handle(wsEvent('$disconnect', id));
    const events = ofType('watcher', 'join').length + ofType('watcher', 'leave').length;
    // The watcher's own join was in the second before; in this second: 3 events and one resync, for 40 changes.
    expect(events).toBe(1 + 3);
    expect(ofType('watcher', 'presence_resync')).toEqual([{ type: 'presence_resync', topic: 'room' }]);
    expect(gateway.sends.length - before).toBe(4);
    // The next second sends again.
    advance(1000);
    await connect('late');
    await send('late', { type: 'subscribe', topic: 'room', presence: true });
    expect(ofType('watcher', 'join').at(-1)).toMatchObject({ member: { connectionId: 'late' } });
  });
});
