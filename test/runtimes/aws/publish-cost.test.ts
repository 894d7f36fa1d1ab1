/**
 * Counts the AWS requests one publish costs at fan-out 1, 100 and 1,000: the real Lambda handler behind the
 * emulator, DynamoDB Local and the emulator's `@connections` API, with SDK middleware counting every request
 * by operation. docs/cost.md turns the figures into dollars. The figures are written to
 * $TMPDIR/topicsocket-publish-cost.json (and to docs/cost-measurements.json with TOPICSOCKET_RECORD_COST=1).
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mapLimit } from '../../../src/core/index.ts';
import { EmfMetrics } from '../../../src/runtimes/aws/powertools-metrics.ts';
import type { LocalServer } from '../../../src/runtimes/local/index.ts';
import { DynamoDbStore, MARKER_CACHE_WINDOW_MS } from '../../../src/stores/dynamodb/index.ts';
import { seedSubscribers } from '../../support/dynamodb-seed.ts';
import {
  type LambdaOnEmulator,
  startLambdaOnEmulator,
  type TestTable,
} from '../../support/lambda-on-emulator.ts';
import { countedManagementClients } from '../../support/management-client.ts';
import { interceptCommand, RequestCounter } from '../../support/sdk-faults.ts';
import { VirtualClock } from '../../support/virtual-clock.ts';
import { TestClient } from '../local/client.ts';

const FANOUTS = [1, 100, 1000] as const;
const PAGE_SIZE = 1000; // the deployed default (TOPICSOCKET_SUBSCRIBER_PAGE_SIZE)

interface Measurement {
  fanout: number;
  /** A publish from a warm container (pattern markers cached); the last repetition's. */
  dynamodb: Record<string, number>;
  /** The first repetition's: the marker cache cold (a new container, or the first publish in a window). */
  dynamodbCacheCold: Record<string, number>;
  apiGateway: Record<string, number>;
  readCapacityUnits: number;
  /** Wall time of the publishing invocation, over the repetitions. */
  publishInvocationMs: { min: number; median: number };
}

describe('requests per publish', () => {
  let fixture: LambdaOnEmulator;
  let server: LocalServer;
  let dynamo: TestTable;
  let dynamoCounter: RequestCounter;
  let readCapacity = 0;
  let lastPublishMs = 0;
  let tearingDown = false;
  let seeding = false;
  let onDisconnect: (() => void) | undefined;
  const ids: string[] = [];
  const receivers: TestClient[] = [];
  let publisher: TestClient;
  const { managementClients, counter: postCounter } = countedManagementClients();
  const measurements: Measurement[] = [];
  let routeRequests: Record<string, Record<string, number>> = {};
  // The pattern-marker cache's clock, moved by the test: the first repetition of each fan-out finds the
  // cache cold, the others warm, however fast the machine is.
  const markerClock = new VirtualClock();

  beforeAll(async () => {
    fixture = await startLambdaOnEmulator({
      table: 'cost',
      quiet: true,
      managementClients,
      server: { limits: { maxConnectionsPerIp: 0 } }, // 1,001 sockets from 127.0.0.1
      route: async (event, invoke) => {
        // Teardown: the table is thrown away, so 1,000 `$disconnect`s need not be processed.
        if (tearingDown && event.requestContext.routeKey === '$disconnect') return { statusCode: 200 };
        const receiver = event.headers?.['x-receiver'];
        if (receiver !== undefined) ids[Number(receiver)] = event.requestContext.connectionId;
        if (seeding && event.requestContext.routeKey === '$connect') return { statusCode: 200 };
        const started = performance.now();
        const result = await invoke(event);
        if (event.body?.includes('"publish"')) lastPublishMs = performance.now() - started;
        if (event.requestContext.routeKey === '$disconnect') onDisconnect?.();
        return result;
      },
      config: { sendConcurrency: 50, subscriberPageSize: PAGE_SIZE, metricsNamespace: 'topicsocket-cost' },
      dependencies: {
        markerClock,
        logger: new PowertoolsLogger({ serviceName: 'topicsocket', logLevel: 'ERROR' }),
        metrics: new EmfMetrics({ namespace: 'topicsocket-cost' }),
      },
    });
    ({ server, table: dynamo } = fixture);
    dynamoCounter = new RequestCounter(dynamo.client);
    // Ask DynamoDB (Local) what each Query consumed, as CloudWatch would bill it.
    interceptCommand(dynamo.client, 'QueryCommand', async (input, send) => {
      const output = await send({ ...input, ReturnConsumedCapacity: 'TOTAL' });
      readCapacity += (output.ConsumedCapacity as { CapacityUnits?: number } | undefined)?.CapacityUnits ?? 0;
      return output;
    });
    // 1,000 real receivers: all on fan-1000, the first 100 also on fan-100, the first on fan-1. Only the
    // publish is measured, so their `$connect`s are acknowledged without the Lambda and their rows seeded
    // in bulk (the store's own reads check the seed below).
    seeding = true;
    await mapLimit(
      Array.from({ length: 1000 }, (_, i) => i),
      50,
      async (i) => {
        // The header tells the handler wrapper which receiver a connection id belongs to.
        receivers[i] = await TestClient.open(server.url, { headers: { 'x-receiver': String(i) } });
      },
    );
    seeding = false;
    await seedSubscribers(
      dynamo.client,
      dynamo.tableName,
      ids.map((connectionId, i) => ({
        connectionId,
        topics: FANOUTS.filter((fanout) => i < fanout).map((fanout) => `fan-${fanout}`),
      })),
      Math.floor(Date.now() / 1000) + 3600,
    );
    const store = new DynamoDbStore({ client: dynamo.client, tableName: dynamo.tableName });
    expect((await store.topicsOf(ids[0] as string)).sort()).toEqual(['fan-1', 'fan-100', 'fan-1000']);
    publisher = await TestClient.open(server.url);
  }, 120_000);

  afterAll(async () => {
    tearingDown = true;
    await mapLimit(receivers, 100, (client) => client.close());
    await publisher?.close();
    await fixture?.close();
    managementClients.destroy();
    const conditions = {
      note: 'local: DynamoDB Local + emulator + 1,000 ws clients in one process; durations are upper bounds',
      cpus: cpus().length,
      loadAverage1m: Number(loadavg()[0]?.toFixed(1)),
      sendConcurrency: 50,
    };
    const figures = JSON.stringify({ pageSize: PAGE_SIZE, conditions, measurements, routeRequests }, null, 2);
    writeFileSync(join(tmpdir(), 'topicsocket-publish-cost.json'), figures);
    if (process.env.TOPICSOCKET_RECORD_COST === '1')
      writeFileSync('docs/cost-measurements.json', `${figures}\n`);
  });

  it('costs fixed requests per connection: connect, subscribe, unsubscribe, disconnect', async () => {
    const perRoute: Record<string, Record<string, number>> = {};
    const measure = async (route: string, action: () => Promise<unknown>) => {
      dynamoCounter.reset();
      await action();
      perRoute[route] = dynamoCounter.snapshot();
    };
    let client: TestClient | undefined;
    await measure('$connect', async () => {
      client = await TestClient.open(server.url);
    });
    const ws = client as TestClient;
    await measure('subscribe', () => ws.request({ type: 'subscribe', topic: 'route-a', id: 1 }));
    await ws.request({ type: 'subscribe', topic: 'route-b', id: 2 });
    await ws.request({ type: 'subscribe', topic: 'route-c', id: 3 });
    await measure('unsubscribe', () => ws.request({ type: 'unsubscribe', topic: 'route-c', id: 4 }));
    await measure('$disconnect (2 subscriptions)', async () => {
      const disconnected = new Promise<void>((resolve) => {
        onDisconnect = resolve;
      });
      await ws.close();
      await disconnected;
    });
    expect(perRoute).toEqual({
      $connect: { UpdateItemCommand: 1 },
      // History: the connection item and the topic's history meta (read; created once, on a new topic).
      subscribe: { GetItemCommand: 2, TransactWriteItemsCommand: 1, UpdateItemCommand: 1 },
      unsubscribe: { GetItemCommand: 1, TransactWriteItemsCommand: 1 },
      '$disconnect (2 subscriptions)': { BatchWriteItemCommand: 1, DeleteItemCommand: 1 },
    });
    routeRequests = perRoute;
  });

  for (const fanout of FANOUTS) {
    it(`publish at fan-out ${fanout}: ${Math.floor(fanout / PAGE_SIZE) + 1} Query, ${fanout} posts`, async () => {
      // Repeated, because durations on a shared machine are noisy; counts must be identical every time.
      const durations: number[] = [];
      const repetitions = fanout >= 1000 ? 2 : 5;
      let cold: Record<string, number> = {};
      for (let round = 0; round < repetitions; round++) {
        if (round === 0) markerClock.advance(MARKER_CACHE_WINDOW_MS);
        dynamoCounter.reset();
        postCounter()?.reset();
        readCapacity = 0;
        publisher.send({ type: 'publish', topic: `fan-${fanout}`, data: { n: fanout, round }, id: round });
        // A loaded 2-core machine can take seconds for 1,000 posts.
        expect(await publisher.next(60_000)).toEqual({
          type: 'published',
          topic: `fan-${fanout}`,
          id: round,
          offset: round + 1,
          epoch: expect.any(String),
        });
        const frames = await Promise.all(receivers.slice(0, fanout).map((client) => client.next()));
        expect(new Set(frames.map((frame) => JSON.stringify(frame))).size).toBe(1);
        // A full page always carries a LastEvaluatedKey, so N = k * pageSize costs k + 1 Queries.
        const queries = Math.floor(fanout / PAGE_SIZE) + 1;
        // History: one UpdateItem (the topic's counter) and one PutItem (the message, with TTL) per publish.
        // Wildcards: the marker of `*` (none exists here, so no Query more), read with one BatchGetItem when
        // the container's marker cache is cold, not at all within its window.
        expect(dynamoCounter.snapshot()).toEqual({
          ...(round === 0 ? { BatchGetItemCommand: 1 } : {}),
          QueryCommand: queries,
          UpdateItemCommand: 1,
          PutItemCommand: 1,
        });
        if (round === 0) cold = dynamoCounter.snapshot();
        expect(postCounter()?.snapshot()).toEqual({ PostToConnectionCommand: fanout });
        durations.push(Math.round(lastPublishMs));
      }
      durations.sort((a, b) => a - b);
      measurements.push({
        fanout,
        dynamodb: dynamoCounter.snapshot(),
        dynamodbCacheCold: cold,
        apiGateway: postCounter()?.snapshot() ?? {},
        readCapacityUnits: readCapacity,
        publishInvocationMs: {
          min: durations[0] ?? 0,
          median: durations[Math.floor(durations.length / 2)] ?? 0,
        },
      });
    });
  }
});
