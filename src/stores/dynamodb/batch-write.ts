import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type BackoffOptions, fullJitterDelay, sleep } from '../../core/util/backoff.ts';
import { mapLimit } from '../../core/util/map-limit.ts';

/** DynamoDB's hard limit of requests in one BatchWriteItem call. */
export const BATCH_WRITE_LIMIT = 25;

export interface BatchRetryOptions extends BackoffOptions {
  /** Calls per chunk, the first included; after that the leftovers are reported as an error. */
  maxAttempts: number;
}

export const defaultBatchRetry: BatchRetryOptions = { maxAttempts: 8, baseDelayMs: 25, maxDelayMs: 1000 };

type Key = Record<string, string>;
type WriteRequest = { DeleteRequest: { Key: Key } };

/** Thrown when DynamoDB still leaves requests unprocessed after every retry; names how many were lost. */
export class BatchWriteIncompleteError extends Error {
  override readonly name = 'BatchWriteIncompleteError';
  constructor(
    readonly unprocessed: number,
    attempts: number,
  ) {
    super(`${unprocessed} batch delete request(s) still unprocessed after ${attempts} attempts`);
  }
}

/**
 * Deletes `keys` with BatchWriteItem in chunks of 25, retrying `UnprocessedItems` with full-jitter
 * exponential backoff and a bound. Not atomic (BatchWriteItem never is); deletes are idempotent, so a
 * retry is always safe.
 */
export async function batchDelete(
  client: DynamoDBDocumentClient,
  tableName: string,
  keys: readonly Key[],
  retry: BatchRetryOptions = defaultBatchRetry,
): Promise<void> {
  const chunks: WriteRequest[][] = [];
  for (let start = 0; start < keys.length; start += BATCH_WRITE_LIMIT) {
    chunks.push(keys.slice(start, start + BATCH_WRITE_LIMIT).map((Key) => ({ DeleteRequest: { Key } })));
  }
  await mapLimit(chunks, 4, (chunk) => writeChunk(client, tableName, chunk, retry));
}

async function writeChunk(
  client: DynamoDBDocumentClient,
  tableName: string,
  chunk: WriteRequest[],
  retry: BatchRetryOptions,
): Promise<void> {
  let pending = chunk;
  for (let attempt = 1; ; attempt++) {
    const out = await client.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending } }));
    pending = (out.UnprocessedItems?.[tableName] ?? []) as WriteRequest[];
    if (pending.length === 0) return;
    if (attempt >= retry.maxAttempts) throw new BatchWriteIncompleteError(pending.length, attempt);
    await sleep(fullJitterDelay(attempt - 1, retry));
  }
}
