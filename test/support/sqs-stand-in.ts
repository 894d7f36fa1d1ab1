/**
 * A stand-in SQS endpoint for tests and benchmarks: speaks the wire protocol the real `@aws-sdk/client-sqs`
 * uses (AWS JSON 1.0: `POST /` with `X-Amz-Target: AmazonSQS.<Operation>`, JSON bodies, `__type` errors,
 * MD5 digests the SDK checks), on loopback, with standard-queue semantics that the sharded fan-out relies on.
 * Written by hand because no maintained npm package provides one (ElasticMQ needs a JVM download, the npm
 * mocks replace the client instead of speaking its protocol).
 *
 * API:
 *   const sqs = await startSqsStandIn({ msPerSecond? });   // loopback, a free port
 *   const dlq = sqs.createQueue('fanout-dlq');
 *   const queue = sqs.createQueue('fanout', { visibilityTimeoutMs: 1000, deadLetter: { queue: dlq, maxReceiveCount: 3 } });
 *   queue.url                      // QueueUrl for the SDK; sqs.endpoint is the client's `endpoint`
 *   queue.depth()                  // { visible, inFlight, delayed }
 *   queue.messages()               // every message held (bodies and receive counts), for assertions
 *   sqs.counts                     // requests per operation, e.g. counts.SendMessageBatch
 *   await sqs.close()
 * Operations: SendMessage, SendMessageBatch (10 entries, 256 KiB per message and per batch), ReceiveMessage
 * (long polling up to WaitTimeSeconds, visibility timeouts, ApproximateReceiveCount, redrive to the dead-letter
 * queue once a message was received maxReceiveCount times), DeleteMessage(Batch),
 * ChangeMessageVisibility, GetQueueAttributes, GetQueueUrl. `msPerSecond` scales DelaySeconds and
 * second-valued visibility timeouts (tests shorten them); long-poll waits stay real.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

const MAX_MESSAGE_BYTES = 256 * 1024;
const MAX_BATCH_ENTRIES = 10;
const ACCOUNT = '000000000000';

export interface QueueOptions {
  /** Default visibility timeout (SQS default 30 s). */
  visibilityTimeoutMs?: number;
  deadLetter?: { queue: StandInQueue; maxReceiveCount: number };
}

interface Message {
  id: string;
  body: string;
  md5: string;
  sentAt: number;
  visibleAt: number;
  receiveCount: number;
  firstReceivedAt?: number;
  /** The receipt handle of the latest receive; older handles no longer delete or change it. */
  receipt?: string;
}

export class StandInQueue {
  readonly messagesById = new Map<string, Message>();
  private waiters: Array<() => void> = [];

  constructor(
    readonly name: string,
    readonly url: string,
    readonly arn: string,
    readonly options: QueueOptions,
  ) {}

  put(body: string, delayMs: number): Message {
    const now = Date.now();
    const message: Message = {
      id: randomUUID(),
      body,
      md5: md5(body),
      sentAt: now,
      visibleAt: now + delayMs,
      receiveCount: 0,
    };
    this.messagesById.set(message.id, message);
    this.wake();
    if (delayMs > 0) setTimeout(() => this.wake(), delayMs).unref();
    return message;
  }

  /** Visible messages, redriving those received maxReceiveCount times already to the dead-letter queue. */
  take(max: number, visibilityMs: number): Message[] {
    const now = Date.now();
    const taken: Message[] = [];
    for (const message of this.messagesById.values()) {
      if (taken.length >= max) break;
      if (message.visibleAt > now) continue;
      const redrive = this.options.deadLetter;
      if (redrive && message.receiveCount >= redrive.maxReceiveCount) {
        this.messagesById.delete(message.id);
        redrive.queue.adopt(message);
        continue;
      }
      message.receiveCount++;
      message.firstReceivedAt ??= now;
      message.visibleAt = now + visibilityMs;
      message.receipt = `${message.id}:${randomUUID()}`;
      // Wake a poller when this receive's visibility timeout ends.
      setTimeout(() => this.wake(), visibilityMs + 1).unref();
      taken.push(message);
    }
    return taken;
  }

  adopt(message: Message): void {
    message.visibleAt = Date.now();
    this.messagesById.set(message.id, message);
    this.wake();
  }

  byReceipt(receipt: string): Message | undefined {
    const message = this.messagesById.get(receipt.split(':')[0] ?? '');
    return message && message.receipt === receipt ? message : undefined;
  }

  /** Resolves when something may have become visible, or after `ms`. */
  waitForMessages(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      timer.unref();
      const waiter = () => done();
      this.waiters.push(waiter);
      function done() {
        clearTimeout(timer);
        resolve();
      }
    });
  }

  depth(): { visible: number; inFlight: number; delayed: number } {
    const now = Date.now();
    let visible = 0;
    let inFlight = 0;
    let delayed = 0;
    for (const message of this.messagesById.values()) {
      if (message.visibleAt <= now) visible++;
      else if (message.receiveCount > 0) inFlight++;
      else delayed++;
    }
    return { visible, inFlight, delayed };
  }

  messages(): Array<{ body: string; receiveCount: number }> {
    return [...this.messagesById.values()].map(({ body, receiveCount }) => ({ body, receiveCount }));
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter();
  }
}

export interface SqsStandIn {
  endpoint: string;
  createQueue(name: string, options?: QueueOptions): StandInQueue;
  /** Requests answered, per operation. */
  counts: Record<string, number>;
  close(): Promise<void>;
}

class SqsError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

type Json = Record<string, unknown>;

export async function startSqsStandIn(options: { msPerSecond?: number } = {}): Promise<SqsStandIn> {
  const msPerSecond = options.msPerSecond ?? 1000;
  const queues = new Map<string, StandInQueue>();
  const counts: Record<string, number> = {};
  let endpoint = '';

  const queueOf = (input: Json): StandInQueue => {
    const url = String(input.QueueUrl ?? '');
    const queue = queues.get(url.split('/').pop() ?? '');
    if (!queue) throw new SqsError('com.amazonaws.sqs#QueueDoesNotExist', `no queue at ${url}`);
    return queue;
  };
  const delayOf = (value: unknown): number => {
    const seconds = value === undefined ? 0 : Number(value);
    if (!Number.isInteger(seconds) || seconds < 0 || seconds > 900) {
      throw new SqsError('com.amazonaws.sqs#InvalidParameterValue', 'DelaySeconds must be 0 to 900');
    }
    return seconds * msPerSecond;
  };
  const checkBody = (body: unknown): string => {
    if (typeof body !== 'string' || body.length === 0) {
      throw new SqsError('com.amazonaws.sqs#MissingParameter', 'MessageBody is required');
    }
    if (Buffer.byteLength(body) > MAX_MESSAGE_BYTES) {
      throw new SqsError('com.amazonaws.sqs#InvalidParameterValue', 'message is longer than 262144 bytes');
    }
    return body;
  };

  const operations: Record<string, (input: Json) => Promise<Json> | Json> = {
    GetQueueUrl: (input) => {
      const queue = queues.get(String(input.QueueName));
      if (!queue) throw new SqsError('com.amazonaws.sqs#QueueDoesNotExist', 'no such queue');
      return { QueueUrl: queue.url };
    },
    SendMessage: (input) => {
      const queue = queueOf(input);
      const message = queue.put(checkBody(input.MessageBody), delayOf(input.DelaySeconds));
      return { MessageId: message.id, MD5OfMessageBody: message.md5 };
    },
    SendMessageBatch: (input) => {
      const queue = queueOf(input);
      const entries = (input.Entries ?? []) as Json[];
      if (entries.length === 0) throw new SqsError('com.amazonaws.sqs#EmptyBatchRequest', 'no entries');
      if (entries.length > MAX_BATCH_ENTRIES) {
        throw new SqsError('com.amazonaws.sqs#TooManyEntriesInBatchRequest', 'at most 10 entries');
      }
      const total = entries.reduce(
        (sum, entry) => sum + Buffer.byteLength(String(entry.MessageBody ?? '')),
        0,
      );
      if (total > MAX_MESSAGE_BYTES) {
        throw new SqsError('com.amazonaws.sqs#BatchRequestTooLong', 'the batch is longer than 262144 bytes');
      }
      const ids = new Set(entries.map((entry) => entry.Id));
      if (ids.size !== entries.length) {
        throw new SqsError('com.amazonaws.sqs#BatchEntryIdsNotDistinct', 'entry ids repeat');
      }
      const successful: Json[] = [];
      const failed: Json[] = [];
      for (const entry of entries) {
        try {
          const message = queue.put(checkBody(entry.MessageBody), delayOf(entry.DelaySeconds));
          successful.push({ Id: entry.Id, MessageId: message.id, MD5OfMessageBody: message.md5 });
        } catch (error) {
          const problem = error as SqsError;
          failed.push({
            Id: entry.Id,
            SenderFault: true,
            Code: problem.type.split('#')[1],
            Message: problem.message,
          });
        }
      }
      return { Successful: successful, Failed: failed };
    },
    ReceiveMessage: async (input) => {
      const queue = queueOf(input);
      const max = Number(input.MaxNumberOfMessages ?? 1);
      if (!Number.isInteger(max) || max < 1 || max > 10) {
        throw new SqsError('com.amazonaws.sqs#InvalidParameterValue', 'MaxNumberOfMessages must be 1 to 10');
      }
      const visibilityMs =
        input.VisibilityTimeout === undefined
          ? (queue.options.visibilityTimeoutMs ?? 30 * msPerSecond)
          : Number(input.VisibilityTimeout) * msPerSecond;
      const until = Date.now() + Math.min(20, Number(input.WaitTimeSeconds ?? 0)) * 1000;
      let taken = queue.take(max, visibilityMs);
      while (taken.length === 0 && Date.now() < until) {
        await queue.waitForMessages(until - Date.now());
        taken = queue.take(max, visibilityMs);
      }
      return {
        Messages: taken.map((message) => ({
          MessageId: message.id,
          ReceiptHandle: message.receipt,
          MD5OfBody: message.md5,
          Body: message.body,
          Attributes: {
            ApproximateReceiveCount: String(message.receiveCount),
            SentTimestamp: String(message.sentAt),
            ApproximateFirstReceiveTimestamp: String(message.firstReceivedAt ?? Date.now()),
            SenderId: 'AIDASTANDIN',
          },
        })),
      };
    },
    DeleteMessage: (input) => {
      const queue = queueOf(input);
      const message = queue.byReceipt(String(input.ReceiptHandle ?? ''));
      if (message) queue.messagesById.delete(message.id);
      return {};
    },
    DeleteMessageBatch: (input) => {
      const queue = queueOf(input);
      const entries = (input.Entries ?? []) as Json[];
      const successful: Json[] = [];
      for (const entry of entries) {
        const message = queue.byReceipt(String(entry.ReceiptHandle ?? ''));
        if (message) queue.messagesById.delete(message.id);
        successful.push({ Id: entry.Id });
      }
      return { Successful: successful, Failed: [] };
    },
    ChangeMessageVisibility: (input) => {
      const queue = queueOf(input);
      const message = queue.byReceipt(String(input.ReceiptHandle ?? ''));
      if (!message) throw new SqsError('com.amazonaws.sqs#ReceiptHandleIsInvalid', 'unknown receipt handle');
      message.visibleAt = Date.now() + Number(input.VisibilityTimeout ?? 0) * msPerSecond;
      if (Number(input.VisibilityTimeout ?? 0) === 0) queue.adopt(message);
      return {};
    },
    GetQueueAttributes: (input) => {
      const queue = queueOf(input);
      const depth = queue.depth();
      return {
        Attributes: {
          ApproximateNumberOfMessages: String(depth.visible),
          ApproximateNumberOfMessagesNotVisible: String(depth.inFlight),
          ApproximateNumberOfMessagesDelayed: String(depth.delayed),
          QueueArn: queue.arn,
        },
      };
    },
  };

  const answer = (
    response: ServerResponse,
    status: number,
    body: Json,
    headers: Record<string, string> = {},
  ) => {
    const text = JSON.stringify(body);
    response.writeHead(status, {
      'content-type': 'application/x-amz-json-1.0',
      'content-length': Buffer.byteLength(text),
      'x-amzn-requestid': randomUUID(),
      ...headers,
    });
    response.end(text);
  };

  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      void (async () => {
        const target = String(request.headers['x-amz-target'] ?? '');
        const operation = target.startsWith('AmazonSQS.') ? target.slice('AmazonSQS.'.length) : '';
        try {
          const handler = operations[operation];
          if (request.method !== 'POST' || !handler) {
            throw new SqsError(
              'com.amazonaws.sqs#UnsupportedOperation',
              `unsupported: ${target || request.method}`,
            );
          }
          counts[operation] = (counts[operation] ?? 0) + 1;
          const input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Json;
          answer(response, 200, await handler(input));
        } catch (error) {
          const problem =
            error instanceof SqsError
              ? error
              : new SqsError('com.amazonaws.sqs#InternalError', String(error), 500);
          const code = problem.type.split('#')[1] ?? 'InternalError';
          answer(
            response,
            problem.status,
            { __type: problem.type, message: problem.message },
            { 'x-amzn-query-error': `AWS.SimpleQueueService.${code};Sender` },
          );
        }
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    endpoint,
    counts,
    createQueue(name, queueOptions = {}) {
      const queue = new StandInQueue(
        name,
        `${endpoint}/${ACCOUNT}/${name}`,
        `arn:aws:sqs:us-east-1:${ACCOUNT}:${name}`,
        queueOptions,
      );
      queues.set(name, queue);
      return queue;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function md5(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('hex');
}
