import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ChangeMessageVisibilityCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchItemFailure, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { redactingLogger } from '../../core/auth/index.ts';
import { Broker, decodeShard, type ShardWorker } from '../../core/index.ts';
import { createDynamoDbClient } from '../../stores/dynamodb/client.ts';
import { DynamoDbStore } from '../../stores/dynamodb/dynamodb-store.ts';
import type { PostRetryOptions } from './api-gateway-gateway.ts';
import { type AwsRuntimeConfig, historyLimits } from './config.ts';
import { sqsSharding } from './fanout-wiring.ts';
import { createGateway, InvocationBudget, managementClientsFor } from './gateways.ts';
import type { ManagementClients } from './management-clients.ts';
import { powertoolsLoggerPort } from './powertools-logger.ts';
import { EmfMetrics } from './powertools-metrics.ts';
import { createSqsClient } from './sqs-fanout-queue.ts';

export interface WorkerHandlerDependencies {
  dynamoDb?: DynamoDBClient;
  managementClients?: ManagementClients;
  sqs?: SQSClient;
  postRetry?: Partial<PostRetryOptions>;
  logger?: PowertoolsLogger;
  metrics?: EmfMetrics;
}

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
  const sqs = deps.sqs ?? createSqsClient(config.sqsEndpoint);
  const sharding = sqsSharding(config, sqs);
  if (!sharding || !config.fanoutQueueUrl)
    throw new Error('the worker function needs TOPICSOCKET_FANOUT_QUEUE_URL');
  const queueUrl = config.fanoutQueueUrl;
  const powertools = deps.logger ?? new PowertoolsLogger({ serviceName: 'topicsocket-worker' });
  const logger = redactingLogger(powertoolsLoggerPort(powertools));
  const metrics = deps.metrics ?? new EmfMetrics({ namespace: config.metricsNamespace });
  const store = new DynamoDbStore({
    client:
      deps.dynamoDb ??
      createDynamoDbClient(config.dynamodbEndpoint ? { endpoint: config.dynamodbEndpoint } : {}),
    tableName: config.tableName,
    pageSize: config.subscriberPageSize,
  });
  // The same sockets, posts in flight, signed posts and throttle-aware pace as the publishing functions.
  const clients = deps.managementClients ?? managementClientsFor(config);
  const budget = new InvocationBudget();
  const broker = new Broker({
    store,
    gateway: createGateway(config.managementEndpoint, {
      config,
      clients,
      metrics,
      budget,
      ...(deps.postRetry ? { retry: deps.postRetry } : {}),
    }),
    logger,
    metrics,
    // The same retention as the publishing functions: `ref` shards read the message back from history.
    limits: historyLimits(config),
    sharding: { ...sharding, settings: { ...sharding.settings, pageSize: config.subscriberPageSize } },
  });
  const worker = broker.shardWorker() as ShardWorker;

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
