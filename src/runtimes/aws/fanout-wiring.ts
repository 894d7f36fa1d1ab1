import type { SQSClient } from '@aws-sdk/client-sqs';
import type { BrokerSharding } from '../../core/index.ts';
import type { AwsRuntimeConfig } from './config.ts';
import { createSqsClient, SqsFanoutQueue } from './sqs-fanout-queue.ts';

/**
 * The sharded fan-out of the Lambda functions: the SQS queue named by TOPICSOCKET_FANOUT_QUEUE_URL, and the
 * threshold. Undefined without a queue URL: every publish fans out inline, as before.
 */
export function sqsSharding(config: AwsRuntimeConfig, client?: SQSClient): BrokerSharding | undefined {
  if (!config.fanoutQueueUrl) return undefined;
  return {
    queue: new SqsFanoutQueue({
      client: client ?? createSqsClient(config.sqsEndpoint),
      queueUrl: config.fanoutQueueUrl,
    }),
    ...(config.fanoutThreshold === undefined ? {} : { settings: { threshold: config.fanoutThreshold } }),
  };
}
