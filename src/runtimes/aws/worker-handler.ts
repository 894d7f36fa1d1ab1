import { ChangeMessageVisibilityCommand } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchItemFailure, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { decodeShard } from '../../core/index.ts';
import { type AwsDependencies, composeAws } from './compose.ts';
import type { AwsRuntimeConfig } from './config.ts';

/** The worker's seams: the ones every function has (compose.ts); it reads no auth settings. */
export type WorkerHandlerDependencies = Omit<AwsDependencies, 'auth'>;

export type WorkerLambdaHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

/** Time kept back from the invocation for the response (and any SDK call still answering). */
const INVOCATION_SLACK_MS = 1000;

/**
 * How long a shard that threw stays invisible before its next attempt: 2, 4, 8, 16 s by receive count (capped
 * at 60 s), instead of the queue's whole visibility timeout (6 x the function timeout, for crashed workers).
 */
export function failedShardDelaySeconds(receiveCount: number): number {
  return Math.min(60, 2 ** Math.max(1, receiveCount));
}

/**
 * The fan-out worker: an SQS event source mapping with ReportBatchItemFailures hands it shards; it delivers
 * each within the invocation's remaining time (less slack), and answers with the shards that failed, so only
 * those return to the queue (after its visibility timeout; after maxReceiveCount receives, to the DLQ).
 * The partial-batch response is a two-field shape, written here rather than through a batch library because
 * the failure rule (a shard that throws, or one there is no time left for) is the worker's own.
 */
export function createWorkerHandler(
  config: AwsRuntimeConfig,
  deps: WorkerHandlerDependencies = {},
): WorkerLambdaHandler {
  if (!config.managementEndpoint)
    throw new Error('the worker function needs TOPICSOCKET_MANAGEMENT_ENDPOINT');
  // The same parts as the publishing functions (compose.ts): sockets, posts in flight, signed posts,
  // throttle-aware pace, retention (`ref` shards read the message back from history) and the queue.
  const { powertools, logger, metrics, budget, sqs, brokerFor } = composeAws('worker', config, deps);
  const queueUrl = config.fanoutQueueUrl;
  const worker = brokerFor(config.managementEndpoint).shardWorker();
  if (!sqs || !queueUrl || !worker) throw new Error('the worker function needs TOPICSOCKET_FANOUT_QUEUE_URL');

  /** Best effort: if this fails too, the message comes back after the queue's visibility timeout. */
  const retrySoon = async (receiptHandle: string, receiveCount: number): Promise<void> => {
    try {
      await sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: queueUrl,
          ReceiptHandle: receiptHandle,
          VisibilityTimeout: failedShardDelaySeconds(receiveCount),
        }),
      );
    } catch (error) {
      logger.warn('could not shorten a failed shard visibility', { error: String(error) });
    }
  };

  return async (event, context) => {
    powertools.addContext(context);
    budget.begin(context);
    const deadline = Date.now() + context.getRemainingTimeInMillis() - INVOCATION_SLACK_MS;
    const batchItemFailures: SQSBatchItemFailure[] = [];
    try {
      for (const record of event.Records) {
        if (Date.now() >= deadline) {
          // No time left for it: back to the queue untouched.
          batchItemFailures.push({ itemIdentifier: record.messageId });
          continue;
        }
        try {
          await worker.process(decodeShard(record.body), deadline);
        } catch (error) {
          metrics.count('errors');
          logger.error('fan-out shard failed', {
            messageId: record.messageId,
            receiveCount: record.attributes?.ApproximateReceiveCount,
            error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
          });
          batchItemFailures.push({ itemIdentifier: record.messageId });
          await retrySoon(record.receiptHandle, Number(record.attributes?.ApproximateReceiveCount ?? 1));
        }
      }
      return { batchItemFailures };
    } finally {
      budget.end();
      metrics.flush();
    }
  };
}
