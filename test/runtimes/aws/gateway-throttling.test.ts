/**
 * ApiGatewayGateway with the production (signed) poster against the benchmark's stand-in `@connections`
 * endpoint (bench/aws-fanout/connections-endpoint.ts): a real HTTP server on loopback with API Gateway's
 * account token bucket, full client buffers and a per-connection delivery ledger. Buckets are scaled down
 * so throttling happens in milliseconds, not seconds.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  type ConnectionsEndpoint,
  type ConnectionsEndpointOptions,
  messageKeyOf,
  startConnectionsEndpoint,
} from '../../../bench/aws-fanout/connections-endpoint.ts';
import {
  Broker,
  type LogFields,
  type Logger,
  type MetricName,
  type Metrics,
} from '../../../src/core/index.ts';
import { ApiGatewayGateway } from '../../../src/runtimes/aws/api-gateway-gateway.ts';
import { SignedPoster } from '../../../src/runtimes/aws/signed-post.ts';
import { MemoryStore } from '../../../src/stores/memory/memory-store.ts';
import { localManagementClient } from '../../support/management-client.ts';

class CountingMetrics implements Metrics {
  readonly counts = new Map<MetricName, number>();
  count(name: MetricName, value = 1): void {
    this.counts.set(name, (this.counts.get(name) ?? 0) + value);
  }
}

const ids = (n: number, prefix = 'r') => Array.from({ length: n }, (_, i) => `${prefix}${i}=`);
const frame = (offset: number) =>
  JSON.stringify({ type: 'message', topic: 'big', data: { n: offset }, offset, epoch: 'EpOcH' });

describe('the gateway under API Gateway-style throttling', () => {
  const started: Array<{ close(): Promise<void> | void }> = [];
  afterEach(async () => {
    for (const thing of started.splice(0)) await thing.close();
  });

  const setup = async (options: ConnectionsEndpointOptions, concurrency = 20) => {
    const endpoint: ConnectionsEndpoint = await startConnectionsEndpoint({ latencyMs: 2, ...options });
    const client = localManagementClient(endpoint.endpoint);
    const poster = new SignedPoster({
      endpoint: endpoint.endpoint,
      region: client.config.region,
      credentials: client.config.credentials,
      maxSockets: concurrency,
    });
    const metrics = new CountingMetrics();
    started.push(endpoint, { close: () => poster.destroy() }, { close: () => client.destroy() });
    const gateway = (deadline?: () => number) =>
      new ApiGatewayGateway({
        client,
        poster,
        concurrency,
        metrics,
        retry: { maxAttempts: 3, baseDelayMs: 2, maxDelayMs: 20 },
        ...(deadline ? { deadline } : {}),
      });
    return { endpoint, metrics, gateway };
  };

  it('delivers every receiver exactly once past the account bucket, by cutting its own pace', async () => {
    const { endpoint, metrics, gateway } = await setup({ account: { perSecond: 400, burst: 40 } });
    const receivers = ids(400);
    const g = gateway();
    const report = await g.send(receivers, frame(1), { deadline: Date.now() + 15_000 });
    expect(report).toEqual({ delivered: 400, gone: [], failed: [] });
    expect(endpoint.verdict(receivers, [messageKeyOf(frame(1))])).toEqual({
      lost: 0,
      duplicated: 0,
      delivered: 400,
    });
    expect(endpoint.counters.accountThrottled).toBeGreaterThan(0);
    expect(metrics.counts.get('throttled')).toBe(endpoint.counters.accountThrottled);
    expect(metrics.counts.get('rateCuts')).toBeGreaterThan(0);
    expect(g.pacePerSecond).toBeLessThan(Number.POSITIVE_INFINITY);
    expect(metrics.counts.get('slowReceivers')).toBeUndefined();
  });

  it('reports receivers not reached by the deadline as deferred, never failed or silently dropped', async () => {
    const { endpoint, metrics, gateway } = await setup({ account: { perSecond: 100, burst: 10 } });
    const receivers = ids(300);
    const g = gateway();
    const report = await g.send(receivers, frame(2), { deadline: Date.now() + 600 });
    expect(report.failed).toEqual([]);
    expect(report.gone).toEqual([]);
    const deferred = report.deferred ?? [];
    expect(deferred.length).toBeGreaterThan(0);
    expect(report.delivered + deferred.length).toBe(300);
    expect(metrics.counts.get('deferredDeliveries')).toBe(deferred.length);
    // The ledger agrees: delivered ones once, deferred ones not at all.
    const key = messageKeyOf(frame(2));
    const delivered = receivers.filter((id) => !deferred.includes(id));
    expect(endpoint.verdict(delivered, [key])).toMatchObject({ lost: 0, duplicated: 0 });
    expect(endpoint.verdict(deferred, [key]).delivered).toBe(0);
    // Sent again with a new budget (what a worker's requeue does), every deferred one arrives.
    const again = await g.send(deferred, frame(2), { deadline: Date.now() + 15_000 });
    expect(again).toEqual({ delivered: deferred.length, gone: [], failed: [] });
    expect(endpoint.verdict(receivers, [key])).toEqual({ lost: 0, duplicated: 0, delivered: 300 });
  });

  it('fails a receiver whose own buffer is full without cutting the pace for the others', async () => {
    const slow = 'slow=';
    const { endpoint, metrics, gateway } = await setup({ account: false, fullBuffers: new Set([slow]) });
    const receivers = [...ids(100), slow];
    const g = gateway();
    const report = await g.send(receivers, frame(3));
    expect(report.delivered).toBe(100);
    expect(report.failed).toEqual([
      { connectionId: slow, error: expect.stringMatching(/buffer stayed full/) },
    ]);
    expect(report.deferred).toBeUndefined();
    expect(g.pacePerSecond).toBe(Number.POSITIVE_INFINITY);
    expect(metrics.counts.get('rateCuts')).toBeUndefined();
    expect(metrics.counts.get('slowReceivers')).toBe(1);
    expect(endpoint.counters.bufferFull).toBeGreaterThanOrEqual(3);
  });

  it('inline fan-out retries deferred receivers, then counts and logs the ones it gives up on', async () => {
    const { endpoint, metrics, gateway } = await setup({ account: { perSecond: 100, burst: 10 } });
    const store = new MemoryStore();
    const receivers = ids(250, 's');
    for (const id of receivers) {
      await store.putConnection({
        connectionId: id,
        connectedAt: Date.now(),
        expiresAt: Date.now() / 1000 + 600,
      });
      await store.subscribe(id, 'big', { expiresAt: Date.now() / 1000 + 600, maxSubscriptions: 10 });
    }
    const errors: Array<{ message: string; fields?: LogFields }> = [];
    const logger: Logger = {
      debug() {},
      info() {},
      warn() {},
      error: (message, fields) => errors.push({ message, ...(fields ? { fields } : {}) }),
    };
    const deadline = Date.now() + 700;
    const broker = new Broker({
      store,
      gateway: gateway(() => deadline),
      logger,
      metrics,
      limits: { history: false },
    });
    const result = await broker.publish('big', { n: 1 });
    expect(result.failed).toBe(0);
    expect(result.abandoned).toBeGreaterThan(0);
    expect(result.delivered + result.abandoned).toBe(250);
    expect(metrics.counts.get('abandonedDeliveries')).toBe(result.abandoned);
    expect(errors).toEqual([
      {
        message: 'gave up on throttled receivers',
        fields: expect.objectContaining({ topic: 'big', count: result.abandoned }),
      },
    ]);
    expect(endpoint.counters.delivered).toBe(result.delivered);
  });

  it('stops reading subscriber pages at the read deadline, and flags the fan-out as truncated', async () => {
    const { endpoint, metrics, gateway } = await setup({ account: false });
    const store = new MemoryStore({ pageSize: 10 });
    const receivers = ids(50, 't');
    for (const id of receivers) {
      await store.putConnection({
        connectionId: id,
        connectedAt: Date.now(),
        expiresAt: Date.now() / 1000 + 600,
      });
      await store.subscribe(id, 'huge', { expiresAt: Date.now() / 1000 + 600, maxSubscriptions: 10 });
    }
    const errors: string[] = [];
    const logger: Logger = { debug() {}, info() {}, warn() {}, error: (message) => errors.push(message) };
    // Past already: the first page is sent, then no other page is read.
    const broker = new Broker({
      store,
      gateway: gateway(),
      logger,
      metrics,
      limits: { history: false },
      fanoutReadDeadline: () => Date.now() - 1,
    });
    const result = await broker.publish('huge', { n: 1 });
    expect(result).toMatchObject({ delivered: 10, truncated: true });
    expect(endpoint.counters.requests).toBe(10);
    expect(metrics.counts.get('truncatedFanouts')).toBe(1);
    expect(errors).toEqual(['fan-out stopped at its deadline before the last subscriber page']);
  });
});
