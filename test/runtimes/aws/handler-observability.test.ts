/**
 * What the Lambda tells CloudWatch: structured JSON log lines keyed by connectionId/routeKey/requestId with
 * no tokens or bodies, one EMF metrics document per invocation, and no post to a connection during $connect.
 */

import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import { GoneException, LimitExceededException } from '@aws-sdk/client-apigatewaymanagementapi';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { EmfMetrics } from '../../../src/runtimes/aws/powertools-metrics.ts';
import type { LocalServer } from '../../../src/runtimes/local/index.ts';
import {
  type LambdaOnEmulator,
  startLambdaOnEmulator,
  type TestTable,
} from '../../support/lambda-on-emulator.ts';
import { countedManagementClients } from '../../support/management-client.ts';
import { injectFault } from '../../support/sdk-faults.ts';
import { rowsOfConnection } from '../../support/table-rows.ts';

type Line = Record<string, unknown>;

describe('Lambda logs and metrics', () => {
  let fixture: LambdaOnEmulator;
  let server: LocalServer;
  let dynamo: TestTable;
  let postsDuringConnect = -1;
  const output: string[] = [];
  const { managementClients, counter } = countedManagementClients();
  const lines = (): Line[] =>
    output
      .join('')
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Line);
  const emfDocuments = () => lines().filter((line) => '_aws' in line);
  const logLines = () => lines().filter((line) => !('_aws' in line));
  const open = (path = '', headers: Record<string, string> = {}) => fixture.open(path, headers);

  beforeAll(async () => {
    // Powertools writes INFO/DEBUG lines and EMF to stdout, WARN/ERROR lines to stderr.
    for (const stream of [process.stdout, process.stderr]) {
      vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
        output.push(String(chunk));
        return true;
      });
    }
    fixture = await startLambdaOnEmulator({
      table: 'observability',
      managementClients,
      recordConnectionIds: true,
      route: async (event, invoke) => {
        const before = counter()?.count('PostToConnectionCommand') ?? 0;
        const result = await invoke(event);
        if (event.requestContext.routeKey === '$connect') {
          postsDuringConnect = Math.max(
            postsDuringConnect,
            (counter()?.count('PostToConnectionCommand') ?? 0) - before,
          );
        }
        return result;
      },
      dependencies: {
        postRetry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2 },
        logger: new PowertoolsLogger({ serviceName: 'topicsocket', logLevel: 'DEBUG' }),
        metrics: new EmfMetrics({ namespace: 'topicsocket-test' }),
      },
    });
    ({ server, table: dynamo } = fixture);
  });

  afterAll(async () => {
    await fixture?.close();
    vi.restoreAllMocks();
    managementClients.destroy();
  });

  beforeEach(() => {
    output.length = 0;
  });

  it('logs each invocation as JSON with connection, route and request ids, never tokens or bodies', async () => {
    const alice = await open('/?token=secret-query-token', { Authorization: 'Bearer secret-header-token' });
    await alice.client.request({ type: 'subscribe', topic: 'room', id: 1 });
    await alice.client.request({ type: 'publish', topic: 'room', data: 'secret-body', id: 2 });
    await alice.client.next();
    const handled = logLines().filter((line) => line.message === 'route handled');
    expect(handled.map((line) => line.routeKey)).toEqual(['$connect', '$default', '$default']);
    for (const line of handled) {
      expect(line).toMatchObject({ level: 'DEBUG', service: 'topicsocket', connectionId: alice.id });
      expect(line.requestId).toEqual(expect.any(String));
      expect(line.function_request_id).toEqual(expect.stringMatching(/^lambda-/));
    }
    expect(output.join('')).not.toContain('secret');
  });

  it('publishes one EMF document per invocation with the counters it touched', async () => {
    const bob = await open();
    const carol = await open();
    await bob.client.request({ type: 'subscribe', topic: 'feed', id: 1 });
    await carol.client.request({ type: 'subscribe', topic: 'feed', id: 1 });
    await carol.client.request({ type: 'publish', topic: 'feed', data: 1, id: 2 });
    await Promise.all([bob.client.next(), carol.client.next()]);
    const docs = emfDocuments();
    expect(docs).toHaveLength(5); // two connects, two subscribes, one publish
    for (const doc of docs) {
      const aws = doc._aws as { CloudWatchMetrics: Array<{ Namespace: string }> };
      expect(aws.CloudWatchMetrics[0]?.Namespace).toBe('topicsocket-test');
    }
    expect(docs.filter((doc) => doc.connects === 1)).toHaveLength(2);
    expect(docs.filter((doc) => doc.subscribes === 1)).toHaveLength(2);
    expect(docs.at(-1)).toMatchObject({ publishes: 1, deliveries: 2 });
  });

  it('counts a receiver whose buffer stays full as failed, logs it, and says so in the ack', async () => {
    const dave = await open();
    const erin = await open();
    const others = [await open(), await open(), await open(), await open()];
    for (const receiver of [dave, ...others]) {
      await receiver.client.request({ type: 'subscribe', topic: 'slow', id: 1 });
    }
    // Only dave's posts are refused while the others are delivered: his buffer, not the account.
    const heal = injectFault(localClient(), ({ commandName, input }) =>
      commandName === 'PostToConnectionCommand' && input.ConnectionId === dave.id
        ? new LimitExceededException({ message: 'slow consumer', $metadata: { httpStatusCode: 429 } })
        : undefined,
    );
    expect(await erin.client.request({ type: 'publish', topic: 'slow', data: 1, id: 2 })).toMatchObject({
      type: 'published',
      undelivered: 1,
    });
    heal();
    const doc = emfDocuments().at(-1) as Record<string, unknown>;
    expect(doc).toMatchObject({ publishes: 1, deliveries: 4, failedDeliveries: 1, slowReceivers: 1 });
    expect(doc.rateCuts).toBeUndefined();
    const throttled = ([] as number[]).concat(doc.throttled as number | number[]);
    expect(throttled.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(2);
    expect(logLines().find((line) => line.message === 'delivery failed')).toMatchObject({
      level: 'WARN',
      connectionId: dave.id,
      topic: 'slow',
    });
    await Promise.all(others.map((receiver) => receiver.client.next()));
  });

  it('removes a connection and all its subscriptions when a post answers 410', async () => {
    const frank = await open();
    const gina = await open();
    for (const topic of ['g1', 'g2', 'g3'])
      await frank.client.request({ type: 'subscribe', topic, id: topic });
    expect(await rowsOfConnection(dynamo.client, dynamo.tableName, frank.id)).toHaveLength(4);
    const heal = injectFault(localClient(), ({ commandName, input }) =>
      commandName === 'PostToConnectionCommand' && input.ConnectionId === frank.id
        ? new GoneException({ message: 'gone', $metadata: { httpStatusCode: 410 } })
        : undefined,
    );
    await gina.client.request({ type: 'publish', topic: 'g2', data: 1, id: 1 });
    heal();
    expect(await rowsOfConnection(dynamo.client, dynamo.tableName, frank.id)).toEqual([]);
    expect(emfDocuments().at(-1)).toMatchObject({ publishes: 1, gone: 1 });
  });

  it('never posts to a connection during $connect', () => {
    expect(postsDuringConnect).toBe(0);
  });

  function localClient() {
    return managementClients.for(server.managementEndpoint);
  }
});
