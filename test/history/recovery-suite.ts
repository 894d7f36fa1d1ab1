/**
 * Recovery end to end, run against every store (memory here, DynamoDB Local in dynamodb.test.ts): the local
 * server, the client SDK, a connection lost while messages are published, a restart of the server, and
 * subscribes racing publishes at the broker. docs/history.md says what each case proves.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { GapReport, Message } from '../../src/client/index.ts';
import { Sequencer } from '../../src/client/sequencer.ts';
import { Broker, type BrokerLimits, mapLimit } from '../../src/core/index.ts';
import { PublishApi } from '../../src/core/publish-api/index.ts';
import type { MessageFrame, SubscribedFrame } from '../../src/protocol/index.ts';
import { type LocalServer, startLocalServer } from '../../src/runtimes/local/index.ts';
import { Clients } from '../client/support/clients.ts';
import { Inbox, nextEvent } from '../client/support/events.ts';
import type { HistoryStore } from '../stores/store-contract.ts';
import { wsEvent } from '../support/events.ts';
import { RecordingGateway } from '../support/recording-gateway.ts';

export interface RecoveryFixture {
  /** A store on the fixture's data: every call sees what earlier ones wrote (a restart keeps history). */
  open(): Promise<HistoryStore>;
  /**
   * Loses the data, as a memory-store process restart or a recreated table does: later `open()`s return a
   * store without the earlier history, so topics come back with a new epoch.
   */
  reset(): Promise<void>;
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

export function describeRecovery(name: string, fixture: RecoveryFixture): void {
  describe(`history and recovery: ${name}`, () => {
    const clients = new Clients();
    const servers: LocalServer[] = [];
    afterEach(async () => {
      await clients.closeAll();
      await Promise.all(servers.splice(0).map((server) => server.close()));
    });

    const serve = async (port: number, brokerLimits?: Partial<BrokerLimits>): Promise<LocalServer> => {
      const server = await startLocalServer({
        port,
        store: await fixture.open(),
        console: false,
        publishApi: false,
        ...(brokerLimits ? { brokerLimits } : {}),
      });
      servers.push(server);
      return server;
    };

    /**
     * A subscriber that receives 3 messages, loses its connection when the server stops, and cannot come back
     * until `reconnect()`; meanwhile a new server on the same port and store takes over.
     */
    async function subscriberAcrossRestart(brokerLimits?: Partial<BrokerLimits>, loseHistory = false) {
      const topic = `feed-${randomUUID()}`;
      const first = await serve(0, brokerLimits);
      let gate: Promise<void> = Promise.resolve();
      let reconnect = () => {};
      const client = clients.create({
        url: first.url,
        // Awaited before every connect: holds the client offline while the test publishes.
        getToken: async () => {
          await gate;
          return undefined;
        },
      });
      const inbox = new Inbox<number | string>();
      const gaps: GapReport[] = [];
      client.on('gap', (gap) => gaps.push(gap));
      await client.subscribe<number | string>(topic, inbox.listener).ready;
      for (const n of range(0, 3)) await first.broker?.publish(topic, n);
      await inbox.waitFor(3);

      gate = new Promise((resolve) => {
        reconnect = resolve;
      });
      const lost = nextEvent(client, 'state', (change) => change.state === 'reconnecting');
      await first.close();
      await lost;
      if (loseHistory) await fixture.reset();
      const second = await serve(first.port, brokerLimits);
      return { topic, client, inbox, gaps, server: second, reconnect: () => reconnect() };
    }

    it('replays all 500 messages missed across a server restart, in order and once, then continues live', async () => {
      const { topic, client, inbox, gaps, server, reconnect } = await subscriberAcrossRestart();
      // Eight publishers at once: offsets are assigned in whatever order their appends land.
      const dataAt = new Map<number, number>();
      await mapLimit(range(3, 503), 8, async (n) => {
        const result = await server.broker?.publish(topic, n);
        dataAt.set(result?.offset ?? -1, n);
      });
      expect([...dataAt.keys()].sort((a, b) => a - b)).toEqual(range(4, 504));
      const resubscribed = nextEvent(client, 'subscribed', (event) => event.resubscribed, 20_000);
      reconnect();
      expect(await resubscribed).toEqual({ topic, resubscribed: true, recovered: true });
      await inbox.waitFor(503, 20_000);
      await server.broker?.publish(topic, 503);
      const received = await inbox.waitFor(504);
      expect(received).toHaveLength(504);
      expect(received.map((message) => message.offset)).toEqual(range(1, 505));
      // Each offset carries the message its publish was told it got.
      expect(inbox.data()).toEqual([0, 1, 2, ...range(4, 504).map((offset) => dataAt.get(offset)), 503]);
      expect(new Set(received.map((message) => message.epoch)).size).toBe(1);
      expect(gaps).toEqual([]);
    });

    it('answers recovered: false when history no longer reaches back, reports the gap, and goes on live', async () => {
      const history = { maxMessages: 50, maxAgeSeconds: 300 };
      const { topic, client, inbox, gaps, server, reconnect } = await subscriberAcrossRestart({ history });
      for (const n of range(3, 123)) await server.broker?.publish(topic, n);
      const resubscribed = nextEvent(client, 'subscribed', (event) => event.resubscribed, 20_000);
      reconnect();
      expect(await resubscribed).toEqual({ topic, resubscribed: true, recovered: false });
      // Never a partial replay: none of the 50 still held is sent, and the gap names all 120 missed.
      expect(gaps).toEqual([
        { topic, reason: 'history_exceeded', epoch: inbox.received[0]?.epoch, from: 4, to: 123 },
      ]);
      await server.broker?.publish(topic, 'live');
      await inbox.waitFor(4);
      expect(inbox.data()).toEqual([0, 1, 2, 'live']);
      expect(inbox.received.at(-1)?.offset).toBe(124);
    });

    it('after a restart that lost history, replays the new epoch from its start: every message once, in order', async () => {
      const { topic, client, inbox, gaps, server, reconnect } = await subscriberAcrossRestart(
        undefined,
        true,
      );
      const oldEpoch = inbox.received[0]?.epoch;
      // Published right after the restart, before the client resubscribes (it is held offline).
      for (const n of ['new-1', 'new-2', 'new-3']) await server.broker?.publish(topic, n);
      const resubscribed = nextEvent(client, 'subscribed', (event) => event.resubscribed, 20_000);
      reconnect();
      expect(await resubscribed).toEqual({ topic, resubscribed: true, recovered: false, reset: 'replayed' });
      await inbox.waitFor(6);
      await server.broker?.publish(topic, 'live');
      const received = await inbox.waitFor(7);
      expect(received.map((message) => [message.data, message.offset])).toEqual([
        [0, 1],
        [1, 2],
        [2, 3],
        ['new-1', 1],
        ['new-2', 2],
        ['new-3', 3],
        ['live', 4],
      ]);
      const newEpoch = received[3]?.epoch;
      expect(newEpoch).not.toBe(oldEpoch);
      expect(new Set(received.slice(3).map((message) => message.epoch))).toEqual(new Set([newEpoch]));
      // Only the old epoch's tail (after offset 3, if it had any) is reported; nothing of the new one.
      expect(gaps).toEqual([{ topic, reason: 'reset', epoch: oldEpoch, from: 4 }]);
    });

    it('after a restart that lost history, says so when the new epoch outgrew history too', async () => {
      const history = { maxMessages: 5, maxAgeSeconds: 300 };
      const { topic, client, inbox, gaps, server, reconnect } = await subscriberAcrossRestart(
        { history },
        true,
      );
      const oldEpoch = inbox.received[0]?.epoch;
      for (const n of range(0, 8)) await server.broker?.publish(topic, `new-${n}`);
      const resubscribed = nextEvent(client, 'subscribed', (event) => event.resubscribed, 20_000);
      reconnect();
      expect(await resubscribed).toEqual({
        topic,
        resubscribed: true,
        recovered: false,
        reset: 'history_exceeded',
      });
      await server.broker?.publish(topic, 'live');
      await inbox.waitFor(4);
      expect(inbox.data()).toEqual([0, 1, 2, 'live']);
      const newEpoch = inbox.received[3]?.epoch;
      expect(gaps).toEqual([
        { topic, reason: 'reset', epoch: oldEpoch, from: 4 },
        { topic, reason: 'history_exceeded', epoch: newEpoch, from: 1, to: 8 },
      ]);
    });

    it('stores a retried publish once: WebSocket frames, and POST /publish through two processes', async () => {
      const store = await fixture.open();
      const gateway = new RecordingGateway();
      const broker = new Broker({ store, gateway, limits: { publishRate: false } });
      const topic = `once-${randomUUID()}`;
      const send = async (id: string, frame: unknown) => {
        const result = await broker.handle(wsEvent('$default', id, JSON.stringify(frame)));
        return result.body === undefined ? undefined : JSON.parse(result.body);
      };
      for (const id of ['reader', 'writer']) await broker.handle(wsEvent('$connect', id));
      await send('reader', { type: 'subscribe', topic, id: 0 });
      const publish = { type: 'publish', topic, data: 'order #1', idempotencyKey: 'k-1' };
      const first = await send('writer', { ...publish, id: 1 });
      // The retry comes on a new connection, as it would after a drop.
      await broker.handle(wsEvent('$connect', 'writer-again'));
      const retry = await send('writer-again', { ...publish, id: 2 });
      expect(first).toEqual({ type: 'published', topic, id: 1, offset: 1, epoch: expect.any(String) });
      expect(retry).toEqual({ ...first, id: 2, duplicate: true });

      // Two PublishApi instances stand for two Lambda containers: their in-memory caches know nothing of
      // each other, so only the store's key makes the retry a duplicate.
      const api = () =>
        new PublishApi({
          auth: { apiKeys: ['k'.repeat(32)] },
          publish: (t, data, options) => broker.publish(t, data, options),
        });
      const request = {
        method: 'POST',
        headers: { 'x-api-key': 'k'.repeat(32) },
        body: JSON.stringify({ topic, data: 'order #2', idempotencyKey: 'api-1' }),
      };
      const viaA = JSON.parse((await api().handle(request)).body);
      const viaB = JSON.parse((await api().handle(request)).body);
      expect(viaA).toMatchObject({ topic, offset: 2 });
      expect(viaA.duplicate).toBeUndefined();
      expect(viaB).toMatchObject({ topic, offset: 2, duplicate: true });

      const history = await send('reader', { type: 'history', topic, limit: 10, id: 3 });
      expect(history).toEqual({
        type: 'history',
        topic,
        id: 3,
        epoch: first.epoch,
        offset: 2,
        messages: [
          { offset: 1, data: 'order #1' },
          { offset: 2, data: 'order #2' },
        ],
      });
      // Duplicates are fanned out again with their first offset, so the reader's SDK would drop them.
      const offsets = gateway.received('reader').map((frame) => (frame as MessageFrame).offset);
      expect(offsets).toEqual([1, 1, 2, 2]);
    });

    it('loses nothing and duplicates nothing when a subscribe with since races concurrent publishers', async () => {
      const store = await fixture.open();
      const rounds = 3;
      for (let round = 0; round < rounds; round++) {
        const gateway = new RecordingGateway();
        const broker = new Broker({ store, gateway, limits: { publishRate: false } });
        const topic = `race-${randomUUID()}`;
        await broker.handle(wsEvent('$connect', 'sub'));
        for (const n of range(0, 20)) await broker.publish(topic, n);
        const { epoch } = await store.history.position(topic);
        const since = 10;
        const publishers = 4;
        const each = 40;
        let started = 0;
        let markSubscribeTime = () => {};
        const subscribeTime = new Promise<void>((resolve) => {
          markSubscribeTime = resolve;
        });
        const publishing = Promise.all(
          range(0, publishers).map(async (p) => {
            for (const i of range(0, each)) {
              await broker.publish(topic, `p${p}-${i}`);
              // Subscribe once publishing is under way, so appends and fan-outs overlap the handoff.
              if (++started === publishers * 2) markSubscribeTime();
            }
          }),
        );
        await subscribeTime;
        const subscribing = broker.handle(
          wsEvent(
            '$default',
            'sub',
            JSON.stringify({ type: 'subscribe', topic, since: { epoch, offset: since }, id: 1 }),
          ),
        );
        const ack = JSON.parse((await subscribing).body as string) as SubscribedFrame;
        const framesBeforeAck = gateway.received('sub').length;
        await publishing;
        const top = 20 + publishers * each;
        expect(ack).toMatchObject({ type: 'subscribed', recovered: true, epoch });

        // On the wire: every offset after `since` at least once (replay and live may overlap).
        const frames = gateway.received('sub') as MessageFrame[];
        expect(new Set(frames.map((frame) => frame.offset))).toEqual(new Set(range(since + 1, top + 1)));

        // Through the SDK's sequencer, in arrival order with the ack where it came: each once, in order.
        const delivered: Message[] = [];
        const gaps: GapReport[] = [];
        const sequencer = new Sequencer(
          topic,
          { gapTimeoutMs: 60_000, maxPending: 10_000 },
          { deliver: (message) => delivered.push(message), gap: (gap) => gaps.push(gap), repair: () => {} },
        );
        sequencer.position = { epoch, offset: since };
        sequencer.expectAck();
        const asMessage = (frame: MessageFrame) =>
          ({ topic, data: frame.data, offset: frame.offset, epoch: frame.epoch }) as Message<never>;
        for (const frame of frames.slice(0, framesBeforeAck)) sequencer.accept(asMessage(frame));
        sequencer.acknowledged(ack as { epoch: string; offset: number; recovered: boolean });
        for (const frame of frames.slice(framesBeforeAck)) sequencer.accept(asMessage(frame));
        sequencer.dispose();
        expect(delivered.map((message) => message.offset)).toEqual(range(since + 1, top + 1));
        expect(gaps).toEqual([]);
      }
    });
  });
}
