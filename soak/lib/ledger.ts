/**
 * The publish ledger: every publish the soak sends, every answer it got, and what the subscribers and the
 * table hold afterwards. Zero loss means: every publish was finally acknowledged (retrying retryable errors
 * with the same idempotency key), every acknowledged one is stored once and was delivered to every
 * subscriber of its topic, and no answer was a non-retryable error or missing.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { Frame, FramesClient } from './frames-client.ts';

export interface LedgerFigures {
  publishes: number;
  acknowledged: number;
  retryableErrors: number;
  nonRetryableErrors: number;
  unanswered: number;
  timeouts: number;
  /** Acknowledged publishes a subscriber of their topic never received (live). */
  missingDeliveries: number;
  /** Deliveries of the same publish twice to one subscriber. */
  duplicateDeliveries: number;
  /** Acknowledged publishes without a history row, and publishes with more than one. */
  notStored: number;
  storedTwice: number;
}

export class Ledger {
  /** Publish key -> topic, and the keys finally acknowledged. */
  readonly topics = new Map<string, string>();
  readonly acknowledged = new Set<string>();
  retryableErrors = 0;
  nonRetryableErrors = 0;
  unanswered = 0;
  /** Of the unanswered: no reply at all within the request timeout, on an open socket. */
  timeouts = 0;
  readonly errorCodes = new Map<string, number>();

  /** Publishes `key` on `topic` until acknowledged (retryable errors retried after `retryDelayMs`). */
  async publish(
    client: FramesClient,
    topic: string,
    key: string,
    retryDelayMs = 50,
    maxAttempts = 50,
  ): Promise<void> {
    this.topics.set(key, topic);
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      const reply = await client.request({ type: 'publish', topic, data: { key }, idempotencyKey: key });
      if (reply.type === 'published') {
        this.acknowledged.add(key);
        return;
      }
      if (reply.type === 'closed' || reply.type === 'timeout') {
        this.unanswered++;
        if (reply.type === 'timeout') this.timeouts++;
        return;
      }
      this.errorCodes.set(String(reply.code), (this.errorCodes.get(String(reply.code)) ?? 0) + 1);
      if (reply.retryable !== true) {
        this.nonRetryableErrors++;
        return;
      }
      this.retryableErrors++;
      await new Promise((resolve) => setTimeout(resolve, retryDelayMs));
    }
  }

  /** Waits until every subscriber holds every acknowledged publish of its topics (or `timeoutMs`). */
  async settle(
    subscribers: readonly { client: FramesClient; topics: readonly string[] }[],
    timeoutMs: number,
  ): Promise<void> {
    await Promise.all(
      subscribers.map(({ client, topics }) => {
        const wanted = [...this.acknowledged].filter((key) => topics.includes(this.topics.get(key) ?? ''));
        return client.waitFor((messages) => {
          const got = new Set(messages.map(keyOf));
          return wanted.every((key) => got.has(key));
        }, timeoutMs);
      }),
    );
  }

  async figures(
    subscribers: readonly { client: FramesClient; topics: readonly string[] }[],
    table: { client: DynamoDBClient; tableName: string },
  ): Promise<LedgerFigures> {
    let missingDeliveries = 0;
    let duplicateDeliveries = 0;
    for (const { client, topics } of subscribers) {
      const counts = new Map<string, number>();
      for (const message of client.messages)
        counts.set(keyOf(message), (counts.get(keyOf(message)) ?? 0) + 1);
      for (const key of this.acknowledged) {
        if (!topics.includes(this.topics.get(key) ?? '')) continue;
        const seen = counts.get(key) ?? 0;
        if (seen === 0) missingDeliveries++;
        if (seen > 1) duplicateDeliveries++;
      }
    }
    const stored = await storedKeys(table.client, table.tableName);
    return {
      publishes: this.topics.size,
      acknowledged: this.acknowledged.size,
      retryableErrors: this.retryableErrors,
      nonRetryableErrors: this.nonRetryableErrors,
      unanswered: this.unanswered,
      timeouts: this.timeouts,
      missingDeliveries,
      duplicateDeliveries,
      notStored: [...this.acknowledged].filter((key) => !stored.has(key)).length,
      storedTwice: [...stored.values()].filter((count) => count > 1).length,
    };
  }
}

function keyOf(message: Frame): string {
  return String((message.data as { key?: string } | undefined)?.key);
}

/** History message rows (sk `O#…`) by the publish key in their data. A Scan: the soak checks every row. */
async function storedKeys(client: DynamoDBClient, tableName: string): Promise<Map<string, number>> {
  const doc = DynamoDBDocumentClient.from(client);
  const counts = new Map<string, number>();
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(
      new ScanCommand({ TableName: tableName, ConsistentRead: true, ExclusiveStartKey: startKey }),
    );
    for (const item of page.Items ?? []) {
      if (typeof item.sk !== 'string' || !item.sk.startsWith('O#') || typeof item.d !== 'string') continue;
      const key = String((JSON.parse(item.d) as { key?: string }).key);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return counts;
}

/** Subscribes until subscribed, retrying retryable errors; counts attempts and errors. */
export async function subscribeAll(
  client: FramesClient,
  topics: readonly string[],
  counts: { attempts: number; retryableErrors: number; failed: number },
): Promise<void> {
  for (const topic of topics) {
    for (let attempt = 0; ; attempt++) {
      counts.attempts++;
      const reply = await client.request({ type: 'subscribe', topic });
      if (reply.type === 'subscribed') break;
      if (reply.retryable === true && attempt < 50) {
        counts.retryableErrors++;
        await new Promise((resolve) => setTimeout(resolve, 50));
        continue;
      }
      counts.failed++;
      break;
    }
  }
}
