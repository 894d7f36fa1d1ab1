import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
/**
 * ApiGatewayGateway against the local emulator's real `@connections` HTTP API through the real SDK. Faults
 * (throttling, 5xx, 410, 403) are injected with SDK middleware for chosen connection ids only.
 */
import {
  type ApiGatewayManagementApiClient,
  ForbiddenException,
  GoneException,
  LimitExceededException,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { MetricName, Metrics } from '../../../src/core/index.ts';
import { ApiGatewayGateway } from '../../../src/runtimes/aws/api-gateway-gateway.ts';
import {
  defaultManagementClient,
  ManagementClients,
  managementEndpointFor,
} from '../../../src/runtimes/aws/management-clients.ts';
import { awsStyleId, type LocalServer, startLocalServer } from '../../../src/runtimes/local/index.ts';
import { recordedConnectionIds } from '../../support/connection-ids.ts';
import { localManagementClient } from '../../support/management-client.ts';
import { injectFault, RequestCounter } from '../../support/sdk-faults.ts';
import { TestClient } from '../local/client.ts';

const CLIENTS = 12;

class CountingMetrics implements Metrics {
  readonly counts = new Map<MetricName, number>();
  count(name: MetricName, value = 1): void {
    this.counts.set(name, (this.counts.get(name) ?? 0) + value);
  }
}

const serverError = () =>
  Object.assign(new Error('injected: internal server error'), {
    name: 'InternalServerErrorException',
    $fault: 'server' as const,
    $metadata: { httpStatusCode: 500 },
  });
const throttle = () =>
  new LimitExceededException({ message: 'injected: throttled', $metadata: { httpStatusCode: 429 } });

describe('ApiGatewayGateway on the emulated @connections API', () => {
  let server: LocalServer;
  const { ids, connectionIds } = recordedConnectionIds();
  const clients: TestClient[] = [];
  let client: ApiGatewayManagementApiClient;
  let counter: RequestCounter;
  let removeFaults: Array<() => void> = [];
  const attemptsFor = new Map<string, number>();

  const gatewayWith = (options: { concurrency?: number; maxAttempts?: number; metrics?: Metrics } = {}) =>
    new ApiGatewayGateway({
      client,
      concurrency: options.concurrency ?? 4,
      retry: { maxAttempts: options.maxAttempts ?? 4, baseDelayMs: 1, maxDelayMs: 4 },
      ...(options.metrics ? { metrics: options.metrics } : {}),
    });
  const fault = (make: (connectionId: string, attempt: number) => Error | undefined) => {
    removeFaults.push(
      injectFault(client, ({ commandName, input }) => {
        if (commandName !== 'PostToConnectionCommand') return undefined;
        const id = String(input.ConnectionId);
        const attempt = (attemptsFor.get(id) ?? 0) + 1;
        attemptsFor.set(id, attempt);
        return make(id, attempt);
      }),
    );
  };
  const nextFrames = (expected: number) => Promise.all(clients.slice(0, expected).map((c) => c.nextText()));

  beforeAll(async () => {
    server = await startLocalServer({
      port: 0,
      connectionIds,
    });
    for (let i = 0; i < CLIENTS; i++) clients.push(await TestClient.open(server.url));
    client = localManagementClient(server.managementEndpoint);
    counter = new RequestCounter(client);
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    client.destroy();
    await server.close();
  });

  beforeEach(() => {
    for (const remove of removeFaults) remove();
    removeFaults = [];
    attemptsFor.clear();
    counter.reset();
  });

  it('delivers one frame to every connection, encoding it once for all posts', async () => {
    const payloads = new Set<unknown>();
    removeFaults.push(
      injectFault(client, ({ input }) => {
        payloads.add(input.Data);
        return undefined;
      }),
    );
    const frame = JSON.stringify({ type: 'message', topic: 'news', data: 'héllo' });
    const report = await gatewayWith().send(ids, frame);
    expect(report).toEqual({ delivered: CLIENTS, gone: [], failed: [] });
    expect(await nextFrames(CLIENTS)).toEqual(Array(CLIENTS).fill(frame));
    expect(payloads.size).toBe(1);
    expect([...payloads][0]).toBeInstanceOf(Uint8Array);
  });

  it('reports a real 410 from the endpoint as gone, and still delivers to the others', async () => {
    const never = awsStyleId();
    const report = await gatewayWith().send([ids[0] as string, never, ids[1] as string], 'x');
    expect(report).toEqual({ delivered: 2, gone: [never], failed: [] });
    await nextFrames(2);
  });

  it('reports an injected GoneException as gone without retrying', async () => {
    fault((id) =>
      id === ids[2] ? new GoneException({ message: 'gone', $metadata: { httpStatusCode: 410 } }) : undefined,
    );
    const report = await gatewayWith().send(ids.slice(0, 3), 'x');
    expect(report).toEqual({ delivered: 2, gone: [ids[2]], failed: [] });
    expect(attemptsFor.get(ids[2] as string)).toBe(1);
    await Promise.all([clients[0]?.nextText(), clients[1]?.nextText()]);
  });

  it('retries throttling and 5xx with backoff until the post succeeds', async () => {
    const metrics = new CountingMetrics();
    fault((id, attempt) => {
      if (id === ids[0] && attempt <= 2) return throttle();
      if (id === ids[1] && attempt === 1) return serverError();
      return undefined;
    });
    const report = await gatewayWith({ metrics }).send(ids.slice(0, 3), 'retry me');
    expect(report).toEqual({ delivered: 3, gone: [], failed: [] });
    expect(attemptsFor.get(ids[0] as string)).toBe(3);
    expect(attemptsFor.get(ids[1] as string)).toBe(2);
    expect(attemptsFor.get(ids[2] as string)).toBe(1);
    expect(metrics.counts.get('throttled')).toBe(2);
    expect(await nextFrames(3)).toEqual(['retry me', 'retry me', 'retry me']);
  });

  it('reports a receiver refused while the others are delivered as failed (its own buffer), without failing the others', async () => {
    const metrics = new CountingMetrics();
    fault((id) => (id === ids[1] ? throttle() : undefined));
    const report = await gatewayWith({ maxAttempts: 3, metrics }).send(ids, 'y');
    expect(report.delivered).toBe(CLIENTS - 1);
    expect(report.gone).toEqual([]);
    expect(report.deferred).toBeUndefined();
    expect(report.failed).toEqual([
      { connectionId: ids[1], error: expect.stringMatching(/LimitExceededException.*buffer stayed full/) },
    ]);
    // Its first refusal is no evidence yet; then three refusals of its own.
    expect(attemptsFor.get(ids[1] as string)).toBeGreaterThanOrEqual(3);
    expect(metrics.counts.get('slowReceivers')).toBe(1);
    expect(metrics.counts.get('rateCuts')).toBeUndefined();
    await Promise.all(clients.filter((_, i) => i !== 1).map((c) => c.nextText()));
  });

  it('does not retry errors that cannot heal (403)', async () => {
    fault((id) =>
      id === ids[0]
        ? new ForbiddenException({ message: 'forbidden', $metadata: { httpStatusCode: 403 } })
        : undefined,
    );
    const report = await gatewayWith().send(ids.slice(0, 1), 'z');
    expect(report.failed).toHaveLength(1);
    expect(attemptsFor.get(ids[0] as string)).toBe(1);
  });

  it('keeps at most `concurrency` posts in flight', async () => {
    // 12 receivers x 3 frames with 3 in flight: the bound is reached and never exceeded.
    const gateway = gatewayWith({ concurrency: 3 });
    const targets = [...ids, ...ids, ...ids];
    const report = await gateway.send(targets, 'c');
    expect(report.delivered).toBe(targets.length);
    expect(counter.maxInFlight).toBe(3);
    expect(counter.count('PostToConnectionCommand')).toBe(targets.length);
    for (const c of clients) for (let i = 0; i < 3; i++) await c.nextText();
  });

  it('closes a connection with DeleteConnection and ignores an unknown id', async () => {
    const gateway = gatewayWith();
    const last = clients[CLIENTS - 1] as TestClient;
    await gateway.close(ids[CLIENTS - 1] as string);
    await last.closed;
    await expect(gateway.close(awsStyleId())).resolves.toBeUndefined();
    expect(counter.count('DeleteConnectionCommand')).toBe(2);
  });
});

describe('a @connections endpoint that never answers', () => {
  const savedEnv = { ...process.env };
  let silent: Server;
  let endpoint: string;

  beforeAll(async () => {
    // The Lambda's client takes credentials from the environment, as on AWS.
    Object.assign(process.env, {
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
    });
    silent = createServer(() => {}); // accepts, reads, never responds
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    process.env = savedEnv;
    silent.closeAllConnections();
    await new Promise((resolve) => silent.close(resolve));
  });

  it('times each post out, retries it, then reports it failed instead of hanging the fan-out', async () => {
    const client = defaultManagementClient(endpoint, { requestTimeoutMs: 150 });
    const counter = new RequestCounter(client);
    const gateway = new ApiGatewayGateway({
      client,
      retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2 },
    });
    const started = Date.now();
    const report = await gateway.send(['a=', 'b='], 'x');
    expect(report.delivered).toBe(0);
    expect(report.failed.map((f) => f.connectionId).sort()).toEqual(['a=', 'b=']);
    expect(report.failed[0]?.error).toMatch(/TimeoutError/);
    expect(counter.count('PostToConnectionCommand')).toBe(4);
    expect(Date.now() - started).toBeLessThan(5_000);
    client.destroy();
  });
});

describe('management endpoint and clients', () => {
  const context = { domainName: 'abc123.execute-api.eu-west-1.amazonaws.com', stage: 'prod' };

  it('derives the default-domain endpoint from the event, and prefers configuration', () => {
    expect(managementEndpointFor(undefined, context as never)).toBe(
      'https://abc123.execute-api.eu-west-1.amazonaws.com/prod',
    );
    expect(managementEndpointFor('https://ws.example.com/v1', context as never)).toBe(
      'https://ws.example.com/v1',
    );
    expect(() => managementEndpointFor(undefined, {} as never)).toThrow(/TOPICSOCKET_MANAGEMENT_ENDPOINT/);
  });

  it('creates one client per endpoint and reuses it', () => {
    let created = 0;
    const clients = new ManagementClients((endpoint) => {
      created++;
      return localManagementClient(endpoint);
    });
    const a = clients.for('http://127.0.0.1:1/a');
    expect(clients.for('http://127.0.0.1:1/a')).toBe(a);
    expect(clients.for('http://127.0.0.1:1/b')).not.toBe(a);
    expect(created).toBe(2);
    clients.destroy();
  });
});
