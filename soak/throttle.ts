/**
 * Soak 2: a steady publish load through the local server on the DynamoDB store while a share of every
 * DynamoDB request fails with ProvisionedThroughputExceededException (SDK middleware inside the retry
 * loop, test/support/sdk-faults.ts: each attempt is a fresh draw). Subscribes happen under the same faults.
 * The ledger then proves zero loss (soak/lib/ledger.ts).
 */
import { randomUUID } from 'node:crypto';
import { ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { startLocalServer } from '../src/runtimes/local/index.ts';
import { createDynamoDbClient, DynamoDbStore, ensureTable } from '../src/stores/dynamodb/index.ts';
import { injectFault, RequestCounter } from '../test/support/sdk-faults.ts';
import type { FramesClient } from './lib/frames-client.ts';
import { Ledger, type LedgerFigures } from './lib/ledger.ts';
import { openLoad, steadyPublishes } from './lib/load.ts';

export interface ThrottleOptions {
  endpoint: string;
  seconds: number;
  throttleRate?: number;
  publishesPerSecond?: number;
  subscribers?: number;
  topics?: number;
}

export interface ThrottleResult extends LedgerFigures {
  seconds: number;
  throttleRate: number;
  dynamoDbAttempts: number;
  throttledAttempts: number;
  subscribeAttempts: number;
  subscribeRetryableErrors: number;
  subscribesFailed: number;
  /** Upgrades refused with a 5xx during the throttle ($connect's write throttled past the SDK's retries), retried. */
  connectRetries: number;
  errorCodes: Record<string, number>;
}

export async function soakThrottled(options: ThrottleOptions): Promise<ThrottleResult> {
  const throttleRate = options.throttleRate ?? 0.2;
  const client = createDynamoDbClient({ endpoint: options.endpoint });
  const tableName = `soak-throttle-${randomUUID().slice(0, 8)}`;
  await ensureTable(client, tableName);
  // Added first, so it sits outside the fault: it counts every attempt, faulted or sent.
  const attempts = new RequestCounter(client);
  let throttled = 0;
  let faulty = false;
  const removeFault = injectFault(client, () => {
    if (!faulty || Math.random() >= throttleRate) return undefined;
    throttled++;
    return new ProvisionedThroughputExceededException({
      message: 'soak: throughput exceeds the current capacity',
      $metadata: { httpStatusCode: 400 },
    });
  });
  const store = new DynamoDbStore({ client, tableName });
  const server = await startLocalServer({
    port: 0,
    store,
    console: false,
    publishApi: false,
    // The load is the point: no per-connection publish rate limit in the way.
    brokerLimits: { publishRate: false },
  });
  const clients: FramesClient[] = [];
  try {
    const topics = Array.from({ length: options.topics ?? 3 }, (_, i) => `soak/throttle/${i}`);
    faulty = true;
    const { subscribers, publishers, counts } = await openLoad(
      server.url,
      options.subscribers ?? 10,
      topics,
      clients,
    );
    const ledger = new Ledger();
    await steadyPublishes({
      publishers,
      topics,
      perSecond: options.publishesPerSecond ?? 40,
      seconds: options.seconds,
      ledger,
      label: 'throttle',
    });
    faulty = false;
    await ledger.settle(subscribers, 10_000);
    const figures = await ledger.figures(subscribers, { client, tableName });
    return {
      ...figures,
      seconds: options.seconds,
      throttleRate,
      dynamoDbAttempts: Object.values(attempts.snapshot()).reduce((sum, n) => sum + n, 0),
      throttledAttempts: throttled,
      subscribeAttempts: counts.attempts,
      subscribeRetryableErrors: counts.retryableErrors,
      subscribesFailed: counts.failed,
      connectRetries: counts.connectRetries,
      errorCodes: Object.fromEntries(ledger.errorCodes),
    };
  } finally {
    await Promise.all(clients.map((c) => c.close()));
    await server.close();
    removeFault();
    attempts.detach();
    client.destroy();
  }
}
