import { SendMessageBatchCommand, type SendMessageBatchRequestEntry, SQSClient } from '@aws-sdk/client-sqs';
import {
  type EnqueueOptions,
  encodeShard,
  type FanoutQueue,
  type FanoutShard,
  mapLimit,
} from '../../core/index.ts';
import { fullJitterDelay, sleep } from '../../core/util/backoff.ts';

/** SQS limits (docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-messages.html). */
const SqsLimits = {
  entriesPerBatch: 10,
  /** Per message and per SendMessageBatch request, all entries together. */
  batchBytes: 256 * 1024,
  maxDelaySeconds: 900,
} as const;

export interface SqsFanoutQueueOptions {
  client: SQSClient;
  queueUrl: string;
  /** SendMessageBatch requests in flight at once (default 10). */
  concurrency?: number;
  /** Attempts per entry SQS reports failed in a batch (the SDK retries whole requests itself). Default 4. */
  entryAttempts?: number;
}

/**
 * A client for the fan-out queue. With `endpoint` (a local stand-in in tests) region and credentials are
 * placeholders, so local runs never pick up real AWS credentials by accident.
 */
export function createSqsClient(endpoint?: string): SQSClient {
  return new SQSClient({
    ...(endpoint
      ? { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
      : {}),
    maxAttempts: 4,
    // A request that hangs fails (and is retried) instead of holding the invocation.
    requestHandler: { connectionTimeout: 2_000, requestTimeout: 25_000, throwOnRequestTimeout: true },
  });
}

/**
 * The FanoutQueue on an SQS standard queue: shards go out in SendMessageBatch requests of at most 10
 * entries and 256 KiB, entries SQS reports failed are retried with backoff, and `enqueue` rejects if any
 * shard still could not be queued (the caller's invocation then fails visibly instead of losing it).
 */
export class SqsFanoutQueue implements FanoutQueue {
  private readonly client: SQSClient;
  private readonly queueUrl: string;
  private readonly concurrency: number;
  private readonly entryAttempts: number;

  constructor(options: SqsFanoutQueueOptions) {
    this.client = options.client;
    this.queueUrl = options.queueUrl;
    this.concurrency = options.concurrency ?? 10;
    this.entryAttempts = options.entryAttempts ?? 4;
  }

  async enqueue(shards: readonly FanoutShard[], options: EnqueueOptions = {}): Promise<void> {
    const delay = Math.min(SqsLimits.maxDelaySeconds, Math.max(0, Math.ceil(options.delaySeconds ?? 0)));
    const batches = packBatches(shards.map(encodeShard));
    await mapLimit(batches, this.concurrency, (bodies) => this.sendBatch(bodies, delay));
  }

  private async sendBatch(bodies: readonly string[], delaySeconds: number): Promise<void> {
    let entries: SendMessageBatchRequestEntry[] = bodies.map((body, index) => ({
      Id: String(index),
      MessageBody: body,
      ...(delaySeconds > 0 ? { DelaySeconds: delaySeconds } : {}),
    }));
    for (let attempt = 1; ; attempt++) {
      const out = await this.client.send(
        new SendMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: entries }),
      );
      const failed = new Set((out.Failed ?? []).map((entry) => entry.Id));
      if (failed.size === 0) return;
      const reasons = (out.Failed ?? []).map((entry) => `${entry.Code}: ${entry.Message}`);
      // A sender fault (a malformed entry) will not pass on a retry either.
      if (attempt >= this.entryAttempts || (out.Failed ?? []).some((entry) => entry.SenderFault)) {
        throw new Error(`could not queue ${failed.size} fan-out shard(s): ${reasons.join('; ')}`);
      }
      entries = entries.filter((entry) => failed.has(entry.Id));
      await sleep(fullJitterDelay(attempt - 1, { baseDelayMs: 50, maxDelayMs: 1000 }));
    }
  }
}

/** Groups message bodies into SendMessageBatch requests within SQS's entry and size limits. */
export function packBatches(bodies: readonly string[]): string[][] {
  const batches: string[][] = [];
  let current: string[] = [];
  let bytes = 0;
  for (const body of bodies) {
    const size = Buffer.byteLength(body);
    if (size > SqsLimits.batchBytes)
      throw new Error(`a fan-out shard of ${size} bytes exceeds SQS's 256 KiB`);
    if (current.length === SqsLimits.entriesPerBatch || bytes + size > SqsLimits.batchBytes) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(body);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
