/**
 * DynamoDB store: an offset taken by a publish that died before writing its message (kill -9 between the
 * counter's UpdateItem and the message's PutItem) is a hole, not lost history. A subscribe with `since`
 * before it is recovered and replays what exists after it; expired history is still reported as such.
 */
import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Broker, type Retention } from '../../src/core/index.ts';
import type { MessageFrame, SubscribedFrame } from '../../src/protocol/index.ts';
import { createDynamoDbClient, DynamoDbStore } from '../../src/stores/dynamodb/index.ts';
import { freshTable } from '../support/dynamodb-test-table.ts';
import { wsEvent } from '../support/events.ts';
import { RecordingGateway } from '../support/recording-gateway.ts';
import { dieAfter, RequestCounter } from '../support/sdk-faults.ts';

const retention: Retention = { maxMessages: 1000, maxAgeSeconds: 300 };

let table: { client: DynamoDBClient; tableName: string; endpoint: string };

beforeAll(async () => {
  table = await freshTable('offset-holes');
});

afterAll(() => table.client.destroy());

/**
 * A process that takes the topic's next offset and is killed right after: the counter's UpdateItem is
 * applied, and nothing after it is sent (the message is never written).
 */
async function crashAfterCounter(topic: string, now: () => number): Promise<void> {
  const doomed = createDynamoDbClient({ endpoint: table.endpoint });
  dieAfter(
    doomed,
    (request) =>
      request.commandName === 'UpdateItemCommand' && String(request.input.UpdateExpression).includes('ADD'),
  );
  const store = new DynamoDbStore({ client: doomed, tableName: table.tableName, now });
  await expect(store.history.append(topic, 'never stored', { retention })).rejects.toThrow('process killed');
  doomed.destroy();
}

function setup(now: () => number = Date.now) {
  const store = new DynamoDbStore({ client: table.client, tableName: table.tableName, now });
  const gateway = new RecordingGateway();
  const broker = new Broker({ store, gateway, limits: { publishRate: false } });
  const subscribe = async (topic: string, since: { epoch: string; offset: number }) => {
    await broker.handle(wsEvent('$connect', 'sub'));
    const result = await broker.handle(
      wsEvent('$default', 'sub', JSON.stringify({ type: 'subscribe', topic, since, id: 1 })),
    );
    return JSON.parse(result.body as string) as SubscribedFrame;
  };
  const received = () =>
    (gateway.received('sub') as MessageFrame[]).map((frame) => [frame.offset, frame.data]);
  return { store, broker, subscribe, received };
}

describe('DynamoDB store: offset holes left by a crashed publish', () => {
  it('recovers a subscribe with since just before a hole at the top, then delivers live', async () => {
    const { store, broker, subscribe, received } = setup();
    const topic = `hole-top-${randomUUID()}`;
    await broker.publish(topic, 'one');
    await broker.publish(topic, 'two');
    await crashAfterCounter(topic, Date.now);
    const { epoch, offset: top } = await store.history.position(topic);
    expect(top).toBe(3);

    const ack = await subscribe(topic, { epoch, offset: 2 });
    // Before: `recovered: false` (offset 3 read as history that no longer reaches back).
    expect(ack).toMatchObject({ type: 'subscribed', recovered: true, epoch, offset: 3 });
    expect(received()).toEqual([]);
    await broker.publish(topic, 'four');
    expect(received()).toEqual([[4, 'four']]);
  });

  it('replays the messages after a hole at since + 1, at the cost of one GetItem', async () => {
    const { store, broker, subscribe, received } = setup();
    const topic = `hole-middle-${randomUUID()}`;
    await broker.publish(topic, 'one');
    await broker.publish(topic, 'two');
    await crashAfterCounter(topic, Date.now);
    await broker.publish(topic, 'four');
    await broker.publish(topic, 'five');
    const { epoch } = await store.history.position(topic);

    const counter = new RequestCounter(table.client);
    try {
      const ack = await subscribe(topic, { epoch, offset: 2 });
      expect(ack).toMatchObject({ recovered: true, epoch, offset: 5 });
      expect(received()).toEqual([
        [4, 'four'],
        [5, 'five'],
      ]);
      // $connect (UpdateItem), subscribe (connection GetItem, transaction), the position (meta GetItem), the
      // replay's read (meta GetItem, one Query), plus one GetItem of message 2 that tells the hole from
      // expired history.
      expect(counter.snapshot()).toEqual({
        GetItemCommand: 4,
        QueryCommand: 1,
        TransactWriteItemsCommand: 1,
        UpdateItemCommand: 1,
      });
      const page = await store.history.read(topic, 2, { retention, limit: 10 });
      expect(page).toMatchObject({ oldest: 3, top: 5 });
      // A read after a message not followed by a hole costs no GetItem beyond the meta's.
      counter.reset();
      await store.history.read(topic, 3, { retention, limit: 10 });
      expect(counter.snapshot()).toEqual({ GetItemCommand: 1, QueryCommand: 1 });
    } finally {
      counter.detach();
    }
  });

  it('still answers recovered: false when the message before the hole has expired', async () => {
    let clock = Date.now();
    const { store, broker, subscribe, received } = setup(() => clock);
    const topic = `hole-expired-${randomUUID()}`;
    await broker.publish(topic, 'one');
    await broker.publish(topic, 'two');
    await crashAfterCounter(topic, () => clock);
    clock += 250_000;
    await broker.publish(topic, 'four');
    // Messages 1 and 2 have expired, 4 has not: whether offset 3 was a message that expired too or a hole
    // cannot be told, so the client is told what may be missing.
    clock += 60_000;
    const { epoch } = await store.history.position(topic);
    const ack = await subscribe(topic, { epoch, offset: 2 });
    expect(ack).toMatchObject({ recovered: false, epoch, offset: 4 });
    expect(received()).toEqual([]);
  });
});
