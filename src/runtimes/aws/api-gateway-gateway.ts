import {
  type ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import type { DeliveryReport, Gateway, Metrics } from '../../core/index.ts';
import { type BackoffOptions, fullJitterDelay, sleep } from '../../core/util/backoff.ts';
import { mapLimit } from '../../core/util/map-limit.ts';
import { describeError, isGone, isRetryable, isThrottled } from './management-errors.ts';

export interface PostRetryOptions extends BackoffOptions {
  /** Attempts per connection, the first included; then the receiver is reported `failed`. */
  maxAttempts: number;
}

export interface ApiGatewayGatewayOptions {
  /** Created with `maxAttempts: 1` (see management-clients.ts): this gateway owns the retry policy. */
  client: ApiGatewayManagementApiClient;
  /** `@connections` posts in flight at once per `send` (default 50). */
  concurrency?: number;
  retry?: Partial<PostRetryOptions>;
  /** Counts `throttled` responses (each retry of a throttled post). */
  metrics?: Metrics;
  /** Injectable for tests; defaults to Math.random. */
  random?: () => number;
}

export const defaultPostRetry: PostRetryOptions = { maxAttempts: 4, baseDelayMs: 50, maxDelayMs: 1000 };

type PostOutcome = { kind: 'delivered' } | { kind: 'gone' } | { kind: 'failed'; error: string };

/**
 * The Gateway on API Gateway's `@connections` API: one PostToConnection per receiver, a bounded number in
 * flight, throttling and 5xx retried with full-jitter backoff, 410 reported as `gone` (the broker then
 * removes the connection and its subscriptions). One receiver's failure never fails the others.
 */
export class ApiGatewayGateway implements Gateway {
  private readonly client: ApiGatewayManagementApiClient;
  private readonly concurrency: number;
  private readonly retry: PostRetryOptions;
  private readonly metrics: Metrics | undefined;
  private readonly random: () => number;
  private readonly encoder = new TextEncoder();

  constructor(options: ApiGatewayGatewayOptions) {
    this.client = options.client;
    this.concurrency = options.concurrency ?? 50;
    this.retry = { ...defaultPostRetry, ...options.retry };
    this.metrics = options.metrics;
    this.random = options.random ?? Math.random;
  }

  async send(connectionIds: readonly string[], frame: string): Promise<DeliveryReport> {
    const report: DeliveryReport = { delivered: 0, gone: [], failed: [] };
    // Encoded once per send: every post shares the same bytes.
    const data = this.encoder.encode(frame);
    await mapLimit(connectionIds, this.concurrency, async (connectionId) => {
      const outcome = await this.post(connectionId, data);
      if (outcome.kind === 'delivered') report.delivered++;
      else if (outcome.kind === 'gone') report.gone.push(connectionId);
      else report.failed.push({ connectionId, error: outcome.error });
    });
    return report;
  }

  async close(connectionId: string): Promise<void> {
    try {
      await this.client.send(new DeleteConnectionCommand({ ConnectionId: connectionId }));
    } catch (error) {
      if (!isGone(error)) throw error;
    }
  }

  private async post(connectionId: string, data: Uint8Array): Promise<PostOutcome> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.client.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: data }));
        return { kind: 'delivered' };
      } catch (error) {
        if (isGone(error)) return { kind: 'gone' };
        if (isThrottled(error)) this.metrics?.count('throttled');
        if (!isRetryable(error) || attempt >= this.retry.maxAttempts) {
          return { kind: 'failed', error: describeError(error) };
        }
        await sleep(fullJitterDelay(attempt - 1, this.retry, this.random));
      }
    }
  }
}
