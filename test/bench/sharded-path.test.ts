/**
 * The aws-fanout bench's worker pool: Lambda-like containers behind the event-source stand-in, on the SQS
 * stand-in, with messages sent by the real `@aws-sdk/client-sqs`. Partial-batch failures come back, a
 * container killed at its timeout fails its batch (redelivered after the visibility timeout) and is replaced
 * by a fresh one, and every message is handled.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { afterAll, describe, expect, it } from 'vitest';
import { LambdaHost } from '../../bench/aws-fanout/lambda-host.ts';
import { startContainerPool } from '../../bench/aws-fanout/sharded-path.ts';
import { createSqsClient } from '../../src/runtimes/aws/sqs-fanout-queue.ts';
import { startSqsEventSource } from '../support/sqs-event-source.ts';
import { startSqsStandIn } from '../support/sqs-stand-in.ts';

// A toy worker: hangs on `hang` and fails `fail-once*` on their first receive.
const WORKER = `
exports.handler = async (event) => {
  const batchItemFailures = [];
  const processed = [];
  for (const record of event.Records) {
    const first = record.attributes.ApproximateReceiveCount === '1';
    if (record.body === 'hang' && first) await new Promise(() => {});
    if (record.body.startsWith('fail-once') && first) {
      batchItemFailures.push({ itemIdentifier: record.messageId });
      continue;
    }
    processed.push(record.body);
  }
  return { batchItemFailures, processed };
};
`;

describe('aws-fanout worker pool on the SQS stand-ins', () => {
  const dir = mkdtempSync(join(tmpdir(), 'topicsocket-pool-'));
  const hosts: LambdaHost[] = [];
  afterAll(async () => {
    for (const host of hosts) await host.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('handles every message: partial failures and a container killed at its timeout come back', async () => {
    const bundle = join(dir, 'worker.cjs');
    writeFileSync(bundle, WORKER);
    const sqs = await startSqsStandIn();
    const queue = sqs.createQueue('pool', { visibilityTimeoutMs: 1_500 });
    const client = createSqsClient(sqs.endpoint);
    const bodies = ['a', 'b', 'fail-once-1', 'c', 'hang', 'd', 'fail-once-2', 'e'];
    await client.send(
      new SendMessageBatchCommand({
        QueueUrl: queue.url,
        Entries: bodies.map((MessageBody, i) => ({ Id: String(i), MessageBody })),
      }),
    );
    const start = async (i: number) => {
      const host = await LambdaHost.start(`w${i}`, bundle, {});
      hosts.push(host);
      return host;
    };
    const pool = await startContainerPool(start, 2, 800);
    const processed: string[] = [];
    const drained = new Promise<void>((resolve) => {
      const source = startSqsEventSource({
        client,
        queueUrl: queue.url,
        queueArn: queue.arn,
        batchSize: 3,
        maximumConcurrency: 2,
        timeoutMs: 2_000,
        handler: async (event) => {
          const result = await pool.handler(event);
          processed.push(...((result as { processed?: string[] }).processed ?? []));
          return result;
        },
        onInvocation: () => {
          const depth = queue.depth();
          if (pool.running === 0 && depth.visible + depth.inFlight + depth.delayed === 0)
            void source.stop().then(resolve);
        },
      });
    });
    await drained;
    expect([...processed].sort()).toEqual([...bodies].sort());
    expect(pool.killed).toBe(1);
    expect(pool.outcomes.filter((outcome) => outcome.timedOut)).toHaveLength(1);
    await pool.stop();
    client.destroy();
    await sqs.close();
  }, 30_000);
});
