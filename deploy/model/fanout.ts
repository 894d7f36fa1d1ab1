/**
 * The sharded fan-out on AWS (docs/architecture.md, "Sharded fan-out"; docs/deploy.md): an SQS standard
 * queue of shards, a worker function fed by an event source mapping with partial batch responses, a
 * dead-letter queue behind a redrive policy, and alarms on the DLQ's depth and the worker's errors. Both
 * deploy tools render these values; nothing here is restated there.
 */
import { FanoutEnvironment, LambdaEnvironment } from '../../src/core/config-env.ts';
import { defaultShardingSettings } from '../../src/core/sharding/settings.ts';
import { FunctionModel, type FunctionSpec, RuntimeEnvironment } from './function.ts';
import { type ArnReferences, connectionsArn, type PolicyStatementModel, tableResources } from './iam.ts';
import type { TableModel } from './table.ts';

/** The worker Lambda (src/runtimes/aws/worker.ts). */
export const WorkerFunctionModel: FunctionSpec = {
  ...FunctionModel,
  name: 'fanoutWorker',
  entry: 'src/runtimes/aws/worker.ts',
  // A shard of 1,000 takes ~1.5 s; the budget (timeout less slack) bounds one throttled past its time.
  timeoutSeconds: 30,
};

export const FanoutQueueModel = {
  /** AWS: at least six times the function timeout, so a throttled batch can be retried (services-sqs-configure). */
  visibilityTimeoutSeconds: 6 * WorkerFunctionModel.timeoutSeconds,
  /** Shorter than a shard marker lives (defaultShardingSettings.markerTtlSeconds): a re-delivery finds it. */
  messageRetentionSeconds: 60 * 60,
  /** Receives of one message before SQS moves it to the DLQ. */
  maxReceiveCount: 5,
  /** The DLQ keeps what it holds as long as SQS allows, for inspection and redrive. */
  deadLetterRetentionSeconds: 14 * 24 * 60 * 60,
  /** One shard per invocation: shards are CPU-bound posting, so parallel invocations beat bigger batches. */
  batchSize: 1,
  /**
   * Workers at once: 20 x ~650 posts/s (today's CPU per post) is above the account's 10,000/s, so the
   * account throttle, not the worker count, bounds a big fan-out; more would only add 429s.
   */
  maximumConcurrency: 20,
  functionResponseTypes: ['ReportBatchItemFailures'] as const,
} as const;

/** Alarms: anything in the DLQ means receivers missed a message; any worker error deserves a look. */
export const FanoutAlarms = {
  deadLetters: {
    namespace: 'AWS/SQS',
    metricName: 'ApproximateNumberOfMessagesVisible',
    statistic: 'Maximum',
    periodSeconds: 60,
    evaluationPeriods: 1,
    threshold: 0,
    comparisonOperator: 'GreaterThanThreshold',
  },
  workerErrors: {
    namespace: 'AWS/Lambda',
    metricName: 'Errors',
    statistic: 'Sum',
    periodSeconds: 60,
    evaluationPeriods: 1,
    threshold: 0,
    comparisonOperator: 'GreaterThanThreshold',
  },
} as const;

/** The queue URL, given to every function that publishes (and to the worker, for remainders and retries). */
export const FanoutQueueUrlVariable = FanoutEnvironment.queueUrl;

/** The sharding threshold the functions run with (the default; set TOPICSOCKET_FANOUT_THRESHOLD to change). */
export const FanoutThreshold = defaultShardingSettings.threshold;

/** Publishing functions may only hand shards to this one queue (SendMessageBatch authorizes as SendMessage). */
export function fanoutSendStatement(queueArn: string): PolicyStatementModel {
  return { sid: 'TopicsocketFanoutSend', actions: ['sqs:SendMessage'], resources: [queueArn] };
}

/**
 * What the worker does to the table: read subscriber ranges (Query), read a referenced message from history
 * (Query, GetItem), check and write shard markers (GetItem, PutItem), remove gone connections (DeleteItem,
 * BatchWriteItem). test/runtimes/aws/iam-coverage.test.ts fails when it needs more.
 */
export const WorkerTableActions = [
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  // A gone receiver that was a presence member leaves: the per-topic event counter (docs/dynamodb.md).
  'dynamodb:UpdateItem',
  'dynamodb:Query',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
  // Pattern markers (wildcard subscriptions), one request per publish: docs/dynamodb.md.
  'dynamodb:BatchGetItem',
] as const;

/**
 * What Lambda's event source mapping does with the worker's role (receive, delete, read attributes), plus
 * the worker's own calls: sends (remainders, retries) and shortening a failed shard's visibility.
 */
export const WorkerQueueActions = [
  'sqs:ReceiveMessage',
  'sqs:DeleteMessage',
  'sqs:GetQueueAttributes',
  'sqs:SendMessage',
  'sqs:ChangeMessageVisibility',
] as const;

export function workerPolicyStatements(
  table: TableModel,
  refs: ArnReferences,
  queueArn: string,
): PolicyStatementModel[] {
  return [
    {
      sid: 'TopicsocketWorkerTable',
      actions: [...WorkerTableActions],
      resources: tableResources(table, refs.tableArn),
    },
    {
      sid: 'TopicsocketWorkerConnections',
      actions: ['execute-api:ManageConnections'],
      resources: [connectionsArn(refs, 'POST')],
    },
    { sid: 'TopicsocketWorkerQueue', actions: [...WorkerQueueActions], resources: [queueArn] },
  ];
}

/** The worker's environment: the table, the `@connections` endpoint and the queue; no auth settings. */
export function workerEnvironment(
  tableName: string,
  managementEndpoint: string,
  queueUrl: string,
): Record<string, string> {
  return {
    [LambdaEnvironment.tableName]: tableName,
    [LambdaEnvironment.managementEndpoint]: managementEndpoint,
    [FanoutQueueUrlVariable]: queueUrl,
    ...RuntimeEnvironment,
  };
}

/** Output names of the fan-out resources. */
export const FanoutOutputNames = {
  queueUrl: 'FanoutQueueUrl',
  deadLetterQueueUrl: 'FanoutDeadLetterQueueUrl',
} as const;
