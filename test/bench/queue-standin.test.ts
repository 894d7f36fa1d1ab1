/**
 * The aws-fanout bench's SQS stand-in and Lambda-like containers, with a toy worker: messages sent over the
 * AWS JSON protocol are handed to workers as SQS events, partial-batch failures and a worker killed at its
 * timeout are redelivered, and nothing is lost. (The real SQS client is the sharded worker's dependency; the
 * wire format here follows the AWS JSON 1.0 protocol it speaks.)
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LambdaHost } from '../../bench/aws-fanout/lambda-host.ts';
import { startQueueStandIn } from '../../bench/aws-fanout/queue-standin.ts';

const WORKER = `
const seen = new Set();
exports.handler = async (event) => {
  const batchItemFailures = [];
  for (const record of event.Records) {
    if (record.body === 'hang' && record.attributes.ApproximateReceiveCount === '1') await new Promise(() => {});
    if (record.body.startsWith('fail-once') && record.attributes.ApproximateReceiveCount === '1') {
      batchItemFailures.push({ itemIdentifier: record.messageId });
      continue;
    }
    seen.add(record.body);
  }
  return { batchItemFailures, processed: [...seen] };
};
`;

describe('queue stand-in and Lambda-like workers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'topicsocket-queue-'));
  const hosts: LambdaHost[] = [];
  afterAll(async () => {
    for (const host of hosts) await host.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('delivers every queued message to workers, redelivering partial failures and timed-out batches', async () => {
    const bundle = join(dir, 'worker.cjs');
    writeFileSync(bundle, WORKER);
    const queue = await startQueueStandIn({ batchSize: 3 });
    const bodies = ['a', 'b', 'fail-once-1', 'c', 'hang', 'd', 'fail-once-2', 'e'];
    const response = await fetch(queue.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.SendMessageBatch' },
      body: JSON.stringify({
        QueueUrl: queue.queueUrl,
        Entries: bodies.map((MessageBody, i) => ({ Id: String(i), MessageBody })),
      }),
    });
    const sent = (await response.json()) as { Successful: Array<{ Id: string; MD5OfMessageBody: string }> };
    expect(sent.Successful).toHaveLength(bodies.length);
    expect(sent.Successful[0]?.MD5OfMessageBody).toBe(createHash('md5').update('a').digest('hex'));
    expect(queue.depth).toBe(bodies.length);

    const start = async (name: string) => {
      const host = await LambdaHost.start(name, bundle, {});
      hosts.push(host);
      return host;
    };
    const workers = [await start('w1'), await start('w2')];
    const outcomes = await queue.deliver(workers, 1_000, (dead) => start(`${dead.name}-again`));
    const processed = new Set(
      outcomes.flatMap(
        (outcome) => (outcome.result as { processed?: string[] } | undefined)?.processed ?? [],
      ),
    );
    expect([...processed].sort()).toEqual([...bodies].sort());
    expect(outcomes.filter((outcome) => outcome.timedOut)).toHaveLength(1);
    // The timed-out batch (3 messages) and the two partial failures came back; nothing went to the DLQ.
    expect(queue.redeliveries).toBe(5);
    expect(queue.deadLetters).toEqual([]);
    expect(queue.depth).toBe(0);
    await queue.close();
  });
});
