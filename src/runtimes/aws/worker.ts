/**
 * Lambda entry point of the fan-out worker (SQS event source, ReportBatchItemFailures). It needs the table,
 * the `@connections` endpoint (TOPICSOCKET_MANAGEMENT_ENDPOINT) and the queue (TOPICSOCKET_FANOUT_QUEUE_URL)
 * for the remainders and retries it hands back. Configuration is validated at cold start.
 */
import { loadAwsRuntimeConfig } from './config.ts';
import { createWorkerHandler } from './worker-handler.ts';

export const handler = createWorkerHandler(loadAwsRuntimeConfig(process.env));
