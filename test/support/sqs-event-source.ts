/**
 * A stand-in for Lambda's SQS event source mapping, for tests and benchmarks: pollers (up to
 * `maximumConcurrency`) long-poll the queue with the real SQS client, invoke the handler with an SQS event
 * of up to `batchSize` records and a Lambda context whose remaining time counts down from `timeoutMs`, and
 * delete the records the handler did not report in `batchItemFailures` (ReportBatchItemFailures). A handler
 * that throws, answers with an unknown item id, or runs past `timeoutMs` fails its whole batch: nothing is
 * deleted and the messages come back after the queue's visibility timeout, as on AWS.
 *
 *   const source = startSqsEventSource({ client, queueUrl, queueArn, handler, batchSize: 1, maximumConcurrency: 4 });
 *   await source.stop();   // stops polling, waits for running invocations (timed-out ones are abandoned)
 */
import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';

export interface SqsEventSourceOptions {
  client: SQSClient;
  queueUrl: string;
  queueArn: string;
  handler: (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | undefined>;
  batchSize?: number;
  maximumConcurrency?: number;
  /** The function timeout (default 30 s). */
  timeoutMs?: number;
  /** Called after each invocation (tests count them). */
  onInvocation?: (outcome: 'ok' | 'error' | 'timeout', records: number) => void;
}

export interface SqsEventSource {
  invocations: number;
  stop(): Promise<void>;
}

export function startSqsEventSource(options: SqsEventSourceOptions): SqsEventSource {
  const batchSize = options.batchSize ?? 1;
  const timeoutMs = options.timeoutMs ?? 30_000;
  let stopped = false;
  const source: SqsEventSource = { invocations: 0, stop: async () => {} };

  const invoke = async (messages: Message[]): Promise<void> => {
    const records: SQSRecord[] = messages.map((message) => ({
      messageId: message.MessageId as string,
      receiptHandle: message.ReceiptHandle as string,
      body: message.Body as string,
      attributes: {
        ApproximateReceiveCount: message.Attributes?.ApproximateReceiveCount ?? '1',
        SentTimestamp: message.Attributes?.SentTimestamp ?? String(Date.now()),
        SenderId: message.Attributes?.SenderId ?? 'AIDASTANDIN',
        ApproximateFirstReceiveTimestamp:
          message.Attributes?.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
      },
      messageAttributes: {},
      md5OfBody: message.MD5OfBody as string,
      eventSource: 'aws:sqs',
      eventSourceARN: options.queueArn,
      awsRegion: 'us-east-1',
    }));
    const deadline = Date.now() + timeoutMs;
    source.invocations++;
    const context = {
      callbackWaitsForEmptyEventLoop: false,
      functionName: 'topicsocket-worker',
      functionVersion: '$LATEST',
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:topicsocket-worker',
      memoryLimitInMB: '1024',
      awsRequestId: `worker-${source.invocations}`,
      logGroupName: '/aws/lambda/topicsocket-worker',
      logStreamName: 'stand-in',
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
      done: () => {},
      fail: () => {},
      succeed: () => {},
    } satisfies Context;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    let outcome: 'ok' | 'error' | 'timeout' = 'ok';
    let failedIds = new Set<string>(records.map((record) => record.messageId));
    try {
      const result = await Promise.race([options.handler({ Records: records }, context), timedOut]);
      if (result === 'timeout') outcome = 'timeout';
      else {
        const known = new Set(records.map((record) => record.messageId));
        const failures = (result?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier);
        // An unknown or empty identifier makes Lambda treat the whole batch as failed.
        if (failures.every((id) => typeof id === 'string' && known.has(id))) failedIds = new Set(failures);
        else outcome = 'error';
      }
    } catch {
      outcome = 'error';
    } finally {
      clearTimeout(timer);
    }
    if (outcome === 'ok') {
      const done = records.filter((record) => !failedIds.has(record.messageId));
      if (done.length > 0) {
        try {
          await options.client.send(
            new DeleteMessageBatchCommand({
              QueueUrl: options.queueUrl,
              Entries: done.map((record, index) => ({
                Id: String(index),
                ReceiptHandle: record.receiptHandle,
              })),
            }),
          );
        } catch {
          // A lost delete: the messages come back after their visibility timeout (a re-delivery after success).
        }
      }
    }
    options.onInvocation?.(outcome, records.length);
  };

  const poller = async (): Promise<void> => {
    while (!stopped) {
      let messages: Message[] = [];
      try {
        const out = await options.client.send(
          new ReceiveMessageCommand({
            QueueUrl: options.queueUrl,
            MaxNumberOfMessages: batchSize,
            WaitTimeSeconds: 1,
            MessageSystemAttributeNames: ['All'],
          }),
        );
        messages = out.Messages ?? [];
      } catch {
        if (stopped) return;
        continue;
      }
      if (messages.length > 0) await invoke(messages);
    }
  };

  const pollers = Array.from({ length: options.maximumConcurrency ?? 2 }, () => poller());
  source.stop = async () => {
    stopped = true;
    await Promise.all(pollers);
  };
  return source;
}
