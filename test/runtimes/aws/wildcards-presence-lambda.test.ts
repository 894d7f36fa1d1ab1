/**
 * Wildcard subscriptions and presence through the Lambda handler (the AWS composition, createAwsHandler)
 * behind the local API Gateway emulator, on DynamoDB Local, with real `ws` clients; SDK middleware counts
 * every DynamoDB and `@connections` request, so the costs in docs/cost.md ("Presence and wildcards") are
 * asserted here. The figures are written to $TMPDIR/topicsocket-wildcard-presence-cost.json.
 */
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmfMetrics } from '../../../src/runtimes/aws/powertools-metrics.ts';
import { type LambdaOnEmulator, startLambdaOnEmulator } from '../../support/lambda-on-emulator.ts';
import { countedManagementClients } from '../../support/management-client.ts';
import { RequestCounter } from '../../support/sdk-faults.ts';
import { VirtualClock } from '../../support/virtual-clock.ts';
import type { TestClient } from '../local/client.ts';

type Frame = Awaited<ReturnType<TestClient['next']>>;

describe('wildcards and presence through the Lambda handler (emulator + DynamoDB Local)', () => {
  let fixture: LambdaOnEmulator;
  let dynamoCounter: RequestCounter;
  const figures: Record<string, Record<string, number>> = {};
  const { managementClients, counter: managementCounter } = countedManagementClients();
  // The pattern-marker cache's clock: it moves only when a subscribe waits out the cache window, so which
  // publish finds the cache cold or warm is decided by the test, not by the machine's speed.
  const markerClock = new VirtualClock();

  const open = () => fixture.open();
  /** Sends a frame with an `id` and reads frames until its answer (events may come first). */
  const ask = async (client: TestClient, frame: { id: number } & Record<string, unknown>) => {
    client.send(frame);
    const others: Frame[] = [];
    for (;;) {
      const next = await client.next(30_000);
      if ((next as { id?: unknown }).id === frame.id) return { answer: next, others };
      others.push(next);
    }
  };
  /** The requests one action makes, by operation (DynamoDB and `@connections` together). */
  const measure = async (name: string, action: () => Promise<unknown>) => {
    dynamoCounter.reset();
    managementCounter()?.reset();
    await action();
    await fixture.settled();
    const counts = { ...dynamoCounter.snapshot(), ...(managementCounter()?.snapshot() ?? {}) };
    figures[name] = counts;
    return counts;
  };

  beforeAll(async () => {
    fixture = await startLambdaOnEmulator({
      table: 'wild-presence',
      quiet: true,
      recordConnectionIds: true,
      config: { sendConcurrency: 50, subscriberPageSize: 1000, metricsNamespace: 'topicsocket-wildcards' },
      managementClients,
      dependencies: {
        markerClock,
        logger: new PowertoolsLogger({ serviceName: 'topicsocket', logLevel: 'ERROR' }),
        metrics: new EmfMetrics({ namespace: 'topicsocket-wildcards' }),
      },
    });
    dynamoCounter = new RequestCounter(fixture.table.client);
  }, 60_000);

  afterAll(async () => {
    await fixture?.close();
    managementClients.destroy();
    writeFileSync(
      join(tmpdir(), 'topicsocket-wildcard-presence-cost.json'),
      JSON.stringify(figures, null, 2),
    );
  });

  it('delivers to topic and pattern subscribers once each; a topic without patterns pays one BatchGetItem per cache window', async () => {
    const both = await open();
    const pattern = await open();
    const publisher = await open();
    expect((await ask(both.client, { type: 'subscribe', topic: 'w/a/b', id: 1 })).answer).toMatchObject({
      type: 'subscribed',
    });
    // Before any pattern exists above it, with the marker cache cold: the topic's Query, the history writes
    // and one read of the markers of `*`, `w/*`, `w/a/*`.
    const plain = await measure('publish, no wildcard subscriber, cache cold', () =>
      ask(publisher.client, { type: 'publish', topic: 'w/a/b', data: 0, id: 2 }),
    );
    expect(await both.client.next()).toMatchObject({ type: 'message', topic: 'w/a/b', data: 0 });
    expect(plain).toEqual({
      BatchGetItemCommand: 1,
      QueryCommand: 1,
      UpdateItemCommand: 1,
      PutItemCommand: 1,
      PostToConnectionCommand: 1,
    });
    // Within the cache window (the warm container's usual case): no marker read at all.
    const warm = await measure('publish, no wildcard subscriber, cache warm', () =>
      ask(publisher.client, { type: 'publish', topic: 'w/a/b', data: 'warm', id: 8 }),
    );
    expect(await both.client.next()).toMatchObject({ type: 'message', topic: 'w/a/b', data: 'warm' });
    expect(warm).toEqual({
      QueryCommand: 1,
      UpdateItemCommand: 1,
      PutItemCommand: 1,
      PostToConnectionCommand: 1,
    });
    const waitsBefore = markerClock.sleeps.length;
    const wildSubscribe = await measure('subscribe to a pattern, creating its marker', () =>
      ask(both.client, { type: 'subscribe', topic: 'w/*', id: 3 }),
    );
    // The marker: a renewal that finds none, its creation, and (after waiting out the cache window before
    // the ack) marking it ready; then the subscription as always (no history read for a pattern).
    expect(wildSubscribe).toEqual({ GetItemCommand: 1, UpdateItemCommand: 3, TransactWriteItemsCommand: 1 });
    expect(markerClock.sleeps.length).toBe(waitsBefore + 1);
    await ask(pattern.client, { type: 'subscribe', topic: 'w/a/*', id: 4 });
    // This container cached `w/*` and `w/a/*` as absent before they existed: the subscribes' waits outlasted
    // those entries, so this publish right after their acks reads the markers again and reaches both.
    const wild = await measure('publish, wildcard subscribers at two levels, cache cold', () =>
      ask(publisher.client, { type: 'publish', topic: 'w/a/b', data: 1, id: 5 }),
    );
    // One Query per partition that has subscribers (the topic, w/*, w/a/*), and one copy per connection.
    expect(wild).toEqual({
      BatchGetItemCommand: 1,
      QueryCommand: 3,
      UpdateItemCommand: 1,
      PutItemCommand: 1,
      PostToConnectionCommand: 2,
    });
    const renewal = await measure('subscribe to a pattern whose marker is ready', async () => {
      const other = await open();
      dynamoCounter.reset();
      return ask(other.client, { type: 'subscribe', topic: 'w/*', id: 9 });
    });
    // One conditional UpdateItem (the marker's TTL raised), no wait.
    expect(renewal).toEqual({ GetItemCommand: 1, UpdateItemCommand: 1, TransactWriteItemsCommand: 1 });
    expect(markerClock.sleeps.length).toBe(waitsBefore + 2);
    expect(await both.client.next()).toMatchObject({ type: 'message', topic: 'w/a/b', data: 1, offset: 3 });
    expect(await pattern.client.next()).toMatchObject({ type: 'message', topic: 'w/a/b', data: 1 });
    await ask(publisher.client, { type: 'ping', id: 6 });
    expect(both.client.pending).toBe(0);
    // A deeper topic under w/a/: reached by both patterns, and not by the topic's own subscribers.
    await ask(publisher.client, { type: 'publish', topic: 'w/a/c/d', data: 2, id: 7 });
    expect(await both.client.next()).toMatchObject({ topic: 'w/a/c/d', data: 2, offset: 1 });
    expect(await pattern.client.next()).toMatchObject({ topic: 'w/a/c/d', data: 2 });
  });

  it('recovers each concrete topic of a pattern after a reconnect; a topic first published while away is not replayed', async () => {
    const publisher = await open();
    const first = await ask(publisher.client, { type: 'publish', topic: 'r/x', data: 'x1', id: 1 });
    const position = first.answer as { epoch: string; offset: number };
    await ask(publisher.client, { type: 'publish', topic: 'r/x', data: 'x2', id: 2 });
    await ask(publisher.client, { type: 'publish', topic: 'r/new', data: 'n1', id: 3 });
    const back = await open();
    const { answer, others } = await ask(back.client, {
      type: 'subscribe',
      topic: 'r/*',
      positions: { 'r/x': { epoch: position.epoch, offset: 1 } },
      id: 4,
    });
    expect(others).toEqual([{ type: 'message', topic: 'r/x', data: 'x2', offset: 2, epoch: position.epoch }]);
    expect(answer).toEqual({
      type: 'subscribed',
      topic: 'r/*',
      id: 4,
      recovered: true,
      positions: { 'r/x': { epoch: position.epoch, offset: 2, recovered: true } },
    });
  });

  it('lists members with no ghost (a missed $disconnect is checked with GetConnection), and sends join and leave', async () => {
    const watcher = await open();
    const joined = await ask(watcher.client, { type: 'subscribe', topic: 'p/room', presence: true, id: 1 });
    expect(joined.others).toEqual([{ type: 'join', topic: 'p/room', member: { connectionId: watcher.id } }]);
    const members = [];
    for (let i = 0; i < 3; i++) {
      const member = await open();
      const subscribe = () =>
        ask(member.client, { type: 'subscribe', topic: 'p/room', presence: true, id: 1 });
      if (i < 2) await subscribe();
      else {
        const joinCost = await measure('presence subscribe, join sent to 4 members', subscribe);
        // The subscribe (connection read, transaction with the member item, history position), then the
        // join: the member's record for its data, the event counter, one Query of the members, the posts.
        expect(joinCost).toEqual({
          GetItemCommand: 3,
          TransactWriteItemsCommand: 1,
          UpdateItemCommand: 1,
          QueryCommand: 1,
          PostToConnectionCommand: 4,
        });
      }
      members.push(member);
      expect(await watcher.client.next()).toEqual({
        type: 'join',
        topic: 'p/room',
        member: { connectionId: member.id },
      });
    }
    const read = await measure('presence read of 4 members', () =>
      ask(watcher.client, { type: 'presence', topic: 'p/room', id: 2 }),
    );
    // One Query of the member partition; one GetConnection per listed member (the ghost check).
    expect(read).toEqual({ QueryCommand: 1, GetConnectionCommand: 4 });
    // The last member's socket goes away and API Gateway never delivers its $disconnect.
    const ghost = members[2] as { client: TestClient; id: string };
    fixture.missDisconnect(ghost.id);
    await ghost.client.close();
    const { answer, others } = await ask(watcher.client, { type: 'presence', topic: 'p/room', id: 3 });
    expect(
      (answer as { members: Array<{ connectionId: string }> }).members.map((m) => m.connectionId).sort(),
    ).toEqual([watcher.id, ...members.slice(0, 2).map((m) => m.id)].sort());
    // Found gone: removed, and its leave went out (to the watcher, before the answer).
    expect(others).toEqual([{ type: 'leave', topic: 'p/room', connectionId: ghost.id }]);
    // A normal disconnect leaves too.
    const leaving = members[0] as { client: TestClient; id: string };
    await leaving.client.close();
    expect(await watcher.client.next()).toEqual({ type: 'leave', topic: 'p/room', connectionId: leaving.id });
    const left = await ask(watcher.client, { type: 'presence', topic: 'p/room', limit: 1, id: 4 });
    expect((left.answer as { members: unknown[]; next?: string }).members).toHaveLength(1);
    expect((left.answer as { next?: string }).next).toBeDefined();
  });
});
