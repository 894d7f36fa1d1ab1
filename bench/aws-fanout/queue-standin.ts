/**
 * An SQS stand-in for plugging the sharded fan-out worker into the aws-fanout bench (see `WorkerPlug` in
 * aws-fanout.ts): a real HTTP server speaking the AWS JSON 1.0 protocol of the SDK's SQS client for
 * `SendMessage` and `SendMessageBatch` (`x-amz-target: AmazonSQS.*`, with the body MD5 the SDK checks),
 * and an event source that hands queued messages to worker containers as SQS events, the way Lambda's SQS
 * integration does: batches of up to `batchSize`, `batchItemFailures` redelivered, a whole batch redelivered
 * when its invocation fails or is killed at the timeout, messages received `maxReceiveCount` times moved to
 * a dead-letter list. Message attributes are not supported (the SDK would check their MD5 too).
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { InvocationOutcome, LambdaHost } from './lambda-host.ts';

interface Queued {
  messageId: string;
  body: string;
  receiveCount: number;
  sentAt: number;
}

export interface QueueStandIn {
  /** The SQS endpoint for the SDK client (AWS_ENDPOINT_URL_SQS or the client's `endpoint`). */
  endpoint: string;
  /** A queue URL on that endpoint; any path is accepted as this one queue. */
  queueUrl: string;
  readonly depth: number;
  readonly deadLetters: readonly Queued[];
  /** Messages handed out again after a failure, a partial-batch failure or a timeout. */
  readonly redeliveries: number;
  /**
   * Runs the event source: while messages are queued or in flight, each idle worker gets the next batch.
   * A worker killed at its timeout is replaced through `restart`. Resolves with every invocation's outcome.
   */
  deliver(
    workers: LambdaHost[],
    timeoutMs: number,
    restart: (dead: LambdaHost) => Promise<LambdaHost>,
  ): Promise<InvocationOutcome[]>;
  close(): Promise<void>;
}

export async function startQueueStandIn(
  options: { batchSize?: number; maxReceiveCount?: number } = {},
): Promise<QueueStandIn> {
  const batchSize = options.batchSize ?? 10;
  const maxReceiveCount = options.maxReceiveCount ?? 5;
  const queue: Queued[] = [];
  const deadLetters: Queued[] = [];
  let redeliveries = 0;
  let arrived = () => {};
  const enqueue = (body: string): Queued => {
    const message = { messageId: randomUUID(), body, receiveCount: 0, sentAt: Date.now() };
    queue.push(message);
    arrived();
    return message;
  };
  const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');

  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const target = String(request.headers['x-amz-target'] ?? '').replace(/^AmazonSQS\./, '');
      const answer = (status: number, body: unknown, type?: string) => {
        response.writeHead(status, {
          'content-type': 'application/x-amz-json-1.0',
          'x-amzn-RequestId': randomUUID(),
          ...(type ? { 'x-amzn-query-error': `${type};Sender` } : {}),
        });
        response.end(JSON.stringify(body));
      };
      try {
        const input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as {
          MessageBody?: string;
          Entries?: Array<{ Id: string; MessageBody: string }>;
        };
        if (target === 'SendMessage' && typeof input.MessageBody === 'string') {
          const message = enqueue(input.MessageBody);
          return answer(200, { MessageId: message.messageId, MD5OfMessageBody: md5(message.body) });
        }
        if (target === 'SendMessageBatch' && Array.isArray(input.Entries)) {
          const Successful = input.Entries.map((entry) => {
            const message = enqueue(entry.MessageBody);
            return { Id: entry.Id, MessageId: message.messageId, MD5OfMessageBody: md5(message.body) };
          });
          return answer(200, { Successful, Failed: [] });
        }
        answer(
          400,
          { __type: 'com.amazonaws.sqs#UnsupportedOperation', message: `${target} is not supported here` },
          'AWS.SimpleQueueService.UnsupportedOperation',
        );
      } catch (error) {
        answer(400, { __type: 'com.amazonaws.sqs#InvalidParameterValue', message: String(error) });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const eventOf = (batch: Queued[]) => ({
    Records: batch.map((message) => ({
      messageId: message.messageId,
      receiptHandle: message.messageId,
      body: message.body,
      attributes: {
        ApproximateReceiveCount: String(message.receiveCount),
        SentTimestamp: String(message.sentAt),
        SenderId: 'bench',
        ApproximateFirstReceiveTimestamp: String(Date.now()),
      },
      messageAttributes: {},
      md5OfBody: md5(message.body),
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:topicsocket-bench',
      awsRegion: 'us-east-1',
    })),
  });
  const giveBack = (messages: Queued[]) => {
    for (const message of messages) {
      if (message.receiveCount >= maxReceiveCount) deadLetters.push(message);
      else {
        redeliveries++;
        queue.push(message);
      }
    }
    arrived();
  };

  return {
    endpoint,
    queueUrl: `${endpoint}/123456789012/topicsocket-bench`,
    get depth() {
      return queue.length;
    },
    deadLetters,
    get redeliveries() {
      return redeliveries;
    },
    async deliver(workers, timeoutMs, restart) {
      const outcomes: InvocationOutcome[] = [];
      let inFlight = 0;
      await new Promise<void>((resolve, reject) => {
        const idle = [...workers];
        const pump = () => {
          while (idle.length > 0 && queue.length > 0) {
            const worker = idle.shift() as LambdaHost;
            const batch = queue.splice(0, batchSize);
            for (const message of batch) message.receiveCount++;
            inFlight++;
            worker
              .invoke(eventOf(batch), timeoutMs)
              .then(async (outcome) => {
                outcomes.push(outcome);
                const failures = (
                  outcome.result as { batchItemFailures?: Array<{ itemIdentifier: string }> } | undefined
                )?.batchItemFailures;
                if (outcome.timedOut || outcome.error) giveBack(batch);
                else if (failures?.length) {
                  const failed = new Set(failures.map((failure) => failure.itemIdentifier));
                  giveBack(batch.filter((message) => failed.has(message.messageId)));
                }
                idle.push(worker.alive ? worker : await restart(worker));
              })
              .catch(reject)
              .finally(() => {
                inFlight--;
                pump();
                if (inFlight === 0 && queue.length === 0) resolve();
              });
          }
          if (inFlight === 0 && queue.length === 0) resolve();
        };
        arrived = pump;
        pump();
      });
      arrived = () => {};
      return outcomes;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
