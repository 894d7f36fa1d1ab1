/**
 * The SQS adapter of the FanoutQueue port with the real `@aws-sdk/client-sqs` against the stand-in SQS
 * endpoint (AWS JSON 1.0 wire protocol): batching within SQS's limits, delays, and the stand-in's own
 * semantics the worker tests rely on (visibility timeout, receive counts, redrive to the DLQ).
 */
import { DeleteMessageCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeShard, type FanoutShard } from '../../../src/core/index.ts';
import { createSqsClient, packBatches, SqsFanoutQueue } from '../../../src/runtimes/aws/sqs-fanout-queue.ts';
import { type SqsStandIn, startSqsStandIn } from '../../support/sqs-stand-in.ts';

const shard = (id: string, frame = '{}'): FanoutShard => ({
  v: 1,
  id,
  topic: 't',
  frame,
  range: {},
  attempt: 0,
  publishedAt: 1,
});

describe('SqsFanoutQueue on the SQS stand-in', () => {
  let sqs: SqsStandIn;
  let client: SQSClient;

  beforeAll(async () => {
    sqs = await startSqsStandIn();
    client = createSqsClient(sqs.endpoint);
  });
  afterAll(async () => {
    client?.destroy();
    await sqs?.close();
  });

  it('packs batches of at most 10 entries and 256 KiB', () => {
    expect(packBatches(Array.from({ length: 25 }, () => 'x')).map((batch) => batch.length)).toEqual([
      10, 10, 5,
    ]);
    const big = 'y'.repeat(100 * 1024);
    expect(packBatches([big, big, big]).map((batch) => batch.length)).toEqual([2, 1]);
    expect(() => packBatches(['z'.repeat(257 * 1024)])).toThrow(/256 KiB/);
  });

  it('queues every shard in SendMessageBatch requests, readable by the real client', async () => {
    const queue = sqs.createQueue('shards');
    const adapter = new SqsFanoutQueue({ client, queueUrl: queue.url });
    const frame = 'f'.repeat(60 * 1024);
    await adapter.enqueue(Array.from({ length: 13 }, (_, i) => shard(`s${i}`, frame)));
    // 13 entries of 60 KiB: 4 per request by size.
    expect(sqs.counts.SendMessageBatch).toBe(4);
    const ids = queue
      .messages()
      .map((message) => decodeShard(message.body).id)
      .sort();
    expect(ids).toEqual(Array.from({ length: 13 }, (_, i) => `s${i}`).sort());
  });

  it('holds delayed shards back, and redrives a message received maxReceiveCount times to the DLQ', async () => {
    const dlq = sqs.createQueue('shards-dlq');
    const queue = sqs.createQueue('redrive', {
      visibilityTimeoutMs: 50,
      deadLetter: { queue: dlq, maxReceiveCount: 2 },
    });
    const adapter = new SqsFanoutQueue({ client, queueUrl: queue.url });
    await adapter.enqueue([shard('late')], { delaySeconds: 1 });
    expect(queue.depth()).toEqual({ visible: 0, inFlight: 0, delayed: 1 });
    const receive = () =>
      client.send(
        new ReceiveMessageCommand({
          QueueUrl: queue.url,
          WaitTimeSeconds: 2,
          MessageSystemAttributeNames: ['All'],
        }),
      );
    const first = await receive();
    expect(first.Messages?.[0]?.Attributes?.ApproximateReceiveCount).toBe('1');
    const second = await receive(); // not deleted: visible again after 50 ms
    expect(second.Messages?.[0]?.Attributes?.ApproximateReceiveCount).toBe('2');
    const third = await client.send(new ReceiveMessageCommand({ QueueUrl: queue.url, WaitTimeSeconds: 1 }));
    expect(third.Messages ?? []).toEqual([]);
    expect(dlq.messages().map((message) => decodeShard(message.body).id)).toEqual(['late']);
    // A stale receipt handle deletes nothing.
    await client.send(
      new DeleteMessageCommand({ QueueUrl: queue.url, ReceiptHandle: first.Messages?.[0]?.ReceiptHandle }),
    );
    expect(dlq.messages()).toHaveLength(1);
  });

  it('rejects when SQS refuses the request, so the caller fails visibly', async () => {
    const adapter = new SqsFanoutQueue({ client, queueUrl: `${sqs.endpoint}/000000000000/missing` });
    await expect(adapter.enqueue([shard('x')])).rejects.toThrow(/no queue/);
  });
});
