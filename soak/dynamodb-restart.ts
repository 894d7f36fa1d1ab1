/**
 * Soak 3: DynamoDB Local is killed (SIGKILL) under a steady publish load and started again on the same port
 * and data, while the local server keeps running. Publishes during the outage must be answered with a
 * retryable error (never hang, never a permanent error); after the restart the same server recovers by
 * itself, and the ledger proves nothing acknowledged was lost.
 */
import { randomUUID } from 'node:crypto';
import { startLocalServer } from '../src/runtimes/local/index.ts';
import { createDynamoDbClient, DynamoDbStore, ensureTable } from '../src/stores/dynamodb/index.ts';
import type { FramesClient } from './lib/frames-client.ts';
import { Ledger, type LedgerFigures } from './lib/ledger.ts';
import { openLoad, steadyPublishes } from './lib/load.ts';
import { RestartableDynamoDb } from './lib/restartable-dynamodb.ts';

export interface RestartOptions {
  seconds: number;
  /** Second of the load at which DynamoDB Local is killed, and how long it stays down. */
  killAtSecond: number;
  downSeconds: number;
  publishesPerSecond?: number;
  subscribers?: number;
}

export interface RestartResult extends LedgerFigures {
  seconds: number;
  downSeconds: number;
  /** Retryable errors answered while DynamoDB Local was down. */
  errorsWhileDown: number;
  /** From the restarted JVM answering to the first publish acknowledged again. */
  recoverySeconds: number;
  errorCodes: Record<string, number>;
}

export async function soakDynamoDbRestart(options: RestartOptions): Promise<RestartResult> {
  const db = await RestartableDynamoDb.start();
  const client = createDynamoDbClient({ endpoint: db.endpoint });
  const tableName = `soak-restart-${randomUUID().slice(0, 8)}`;
  await ensureTable(client, tableName);
  const server = await startLocalServer({
    port: 0,
    store: new DynamoDbStore({ client, tableName }),
    console: false,
    publishApi: false,
    brokerLimits: { publishRate: false },
  });
  const clients: FramesClient[] = [];
  try {
    const topics = ['soak/restart/0', 'soak/restart/1'];
    const { subscribers, publishers } = await openLoad(
      server.url,
      options.subscribers ?? 10,
      topics,
      clients,
    );
    const ledger = new Ledger();
    let errorsAtKill = 0;
    let errorsAtRestart = 0;
    let restartedAt = 0;
    let acksAtRestart = 0;
    let recoverySeconds = Number.NaN;
    const outage = (async () => {
      await new Promise((resolve) => setTimeout(resolve, options.killAtSecond * 1000));
      errorsAtKill = ledger.retryableErrors;
      await db.kill();
      await new Promise((resolve) => setTimeout(resolve, options.downSeconds * 1000));
      errorsAtRestart = ledger.retryableErrors;
      await db.up();
      restartedAt = Date.now();
      acksAtRestart = ledger.acknowledged.size;
      while (ledger.acknowledged.size === acksAtRestart)
        await new Promise((resolve) => setTimeout(resolve, 20));
      recoverySeconds = (Date.now() - restartedAt) / 1000;
    })();
    await steadyPublishes({
      publishers,
      topics,
      perSecond: options.publishesPerSecond ?? 20,
      seconds: options.seconds,
      ledger,
      label: 'restart',
      // Patient enough to outlast the outage and the JVM's start-up.
      retry: { delayMs: 250, maxAttempts: 400 },
    });
    await outage;
    await ledger.settle(subscribers, 15_000);
    const figures = await ledger.figures(subscribers, { client, tableName });
    return {
      ...figures,
      seconds: options.seconds,
      downSeconds: options.downSeconds,
      errorsWhileDown: errorsAtRestart - errorsAtKill,
      recoverySeconds,
      errorCodes: Object.fromEntries(ledger.errorCodes),
    };
  } finally {
    await Promise.all(clients.map((c) => c.close()));
    await server.close();
    client.destroy();
    await db.stop();
  }
}
