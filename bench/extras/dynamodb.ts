import { createDynamoDbClient, ensureTable } from '../../src/stores/dynamodb/index.ts';
import { startDynamoDbLocal, waitUntilAnswering } from '../../test/support/dynamodb-local.ts';
import { onCleanup } from '../children.ts';
import type { PubSubSpec } from '../ipc.ts';
import type { ExtraOutcome } from '../outcome.ts';
import { runOne } from '../run-one.ts';

const SUBSCRIBERS = 100;

const spec: PubSubSpec = {
  kind: 'pubsub',
  connections: SUBSCRIBERS,
  topics: 1,
  subscribersPerTopic: SUBSCRIBERS,
  payloadBytes: 64,
  publish: { mode: 'window', deliveries: 4 * SUBSCRIBERS },
  warmupMs: 2000,
  measureMs: 8000,
  latency: false,
};

/**
 * The local server on the DynamoDB store against DynamoDB Local: publishes per second it sustains to one
 * topic of 100 subscribers, and the DynamoDB commands each publish costs (counted in the server's SDK client).
 */
export async function measureDynamoDb(quick: boolean, log: (message: string) => void): Promise<ExtraOutcome> {
  const title = `DynamoDB path: local server + DynamoDB store on DynamoDB Local, 1 topic × ${SUBSCRIBERS}`;
  if (quick)
    return {
      title,
      status: 'not run',
      lines: ['skipped by --quick: DynamoDB Local (a JVM) takes seconds to start'],
    };
  const db = await startDynamoDbLocal();
  const forget = onCleanup(() => void db.stop());
  try {
    await waitUntilAnswering(db.endpoint);
    const tableName = `bench-${Date.now()}`;
    const client = createDynamoDbClient({ endpoint: db.endpoint });
    await ensureTable(client, tableName);
    client.destroy();
    const record = await runOne('topicsocket-dynamodb', spec, 240_000, {
      BENCH_DYNAMODB_ENDPOINT: db.endpoint,
      BENCH_DYNAMODB_TABLE: tableName,
    });
    const result = record.result;
    const from = record.marks['measure-start'];
    const to = record.marks['measure-end'];
    if (result.kind !== 'pubsub' || !from || !to)
      throw new Error('the DynamoDB run produced no measured window');
    const publishes = result.measuredDeliveries / SUBSCRIBERS;
    const perSecond = (publishes / result.measuredMs) * 1000;
    const commands = Object.keys(to.counters)
      .map(
        (name) =>
          [name.replace(/^dynamodb\./, ''), (to.counters[name] ?? 0) - (from.counters[name] ?? 0)] as const,
      )
      .filter(([, count]) => count > 0);
    const total = commands.reduce((sum, [, count]) => sum + count, 0);
    const integrity =
      result.lost || result.duplicated || result.outOfOrder
        ? `FAILED: ${result.lost} lost, ${result.duplicated} duplicated, ${result.outOfOrder} out of order`
        : 'every delivery exactly once, in order';
    log(`dynamodb: ${perSecond.toFixed(1)} publishes/s, ${(total / publishes).toFixed(2)} requests/publish`);
    return {
      title,
      status: integrity.startsWith('FAILED') ? 'failed' : 'ran',
      lines: [
        `${perSecond.toFixed(1)} publishes/s (${Math.round(perSecond * SUBSCRIBERS)} deliveries/s), closed loop with 4 publishes outstanding`,
        `DynamoDB requests per publish: ${publishes ? (total / publishes).toFixed(2) : 'n/a'} (${commands.map(([name, count]) => `${name} ${(count / publishes).toFixed(2)}`).join(', ')})`,
        `server CPU per publish: ${publishes ? (((to.server.cpuMs - from.server.cpuMs) * 1000) / publishes).toFixed(0) : 'n/a'} µs; connecting and subscribing ${SUBSCRIBERS} clients took ${Math.round(result.connectMs)} ms`,
        `integrity: ${integrity}`,
        "DynamoDB Local is a Java emulator on the same 2 cores; its speed says nothing about DynamoDB's. The request count per publish is the figure that carries over to AWS.",
      ],
    };
  } catch (error) {
    return { title, status: 'failed', lines: [error instanceof Error ? error.message : String(error)] };
  } finally {
    forget();
    await db.stop();
  }
}
