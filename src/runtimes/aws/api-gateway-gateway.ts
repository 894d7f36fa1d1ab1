import {
  type ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  GetConnectionCommand,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import type { DeliveryReport, Gateway, Metrics, SendOptions } from '../../core/index.ts';
import { type BackoffOptions, fullJitterDelay, sleep } from '../../core/util/backoff.ts';
import { mapLimit } from '../../core/util/map-limit.ts';
import { AdaptiveRate } from './adaptive-rate.ts';
import { defaultSendConcurrency } from './config.ts';
import { describeError, isGone, isRetryable, isThrottled } from './management-errors.ts';
import type { Poster } from './signed-post.ts';
import { ThrottleEvidence } from './throttle-evidence.ts';

export interface PostRetryOptions extends BackoffOptions {
  /**
   * Attempts per receiver for failures of its own (5xx, timeouts, its buffer full), the first included;
   * then it is reported `failed`. Account throttling does not use them up: it is retried until the deadline.
   */
  maxAttempts: number;
}

export interface ApiGatewayGatewayOptions {
  /** Created with `maxAttempts: 1` (see management-clients.ts): this gateway owns the retry policy. */
  client: ApiGatewayManagementApiClient;
  /** How posts are made (default: through `client`, the SDK's PostToConnectionCommand). */
  poster?: Poster;
  /** `@connections` posts in flight at once, at most (default 50). */
  concurrency?: number;
  retry?: Partial<PostRetryOptions>;
  /** Counts 429s, retries, rate cuts, deferred and slow receivers (docs/observability.md). */
  metrics?: Metrics;
  /** Injectable for tests; defaults to Math.random. */
  random?: () => number;
  /** The deadline of a call that brings none (epoch ms): the Lambda handler gives its invocation's. */
  deadline?: () => number | undefined;
  /** Budget of a call with no deadline from anywhere, ms (default 10 s). */
  budgetMs?: number;
  /** The pace of posts, shared by every call of this gateway (injectable for tests). */
  rate?: AdaptiveRate;
  evidence?: ThrottleEvidence;
}

export const defaultPostRetry: PostRetryOptions = { maxAttempts: 4, baseDelayMs: 50, maxDelayMs: 1000 };
export const defaultSendBudgetMs = 10_000;

/** One receiver of one send, while it is not settled. */
interface Pending {
  connectionId: string;
  /** Failures of its own so far (see PostRetryOptions.maxAttempts). */
  ownFailures: number;
  /** Consecutive 429s. */
  refusedInARow: number;
}

/**
 * The Gateway on API Gateway's `@connections` API: one PostToConnection per receiver, a bounded number in
 * flight, paced by an adaptive rate (AIMD on the account's 429s, adaptive-rate.ts) shared by every call of
 * this gateway, within a time budget per call.
 *
 * - 410: `gone` (the broker removes the connection and its subscriptions), never retried.
 * - 429 from the account (throttle-evidence.ts): the rate is cut and the receiver retried, without using
 *   up its attempts; still waiting at the deadline: `deferred`.
 * - 429 of the receiver alone (its buffer is full), 5xx, timeouts: retried with full-jitter backoff, in
 *   the background (the receiver holds no slot while it waits, so others are not slowed); `failed` after
 *   `maxAttempts`, or `deferred` if the deadline comes first.
 * - 403, 413 and other errors retrying cannot heal: `failed` at once.
 */
export class ApiGatewayGateway implements Gateway {
  private readonly client: ApiGatewayManagementApiClient;
  private readonly poster: Poster;
  private readonly concurrency: number;
  private readonly retry: PostRetryOptions;
  private readonly metrics: Metrics | undefined;
  private readonly random: () => number;
  private readonly defaultDeadline: (() => number | undefined) | undefined;
  private readonly budgetMs: number;
  private readonly rate: AdaptiveRate;
  private readonly evidence: ThrottleEvidence;
  private readonly encoder = new TextEncoder();

  constructor(options: ApiGatewayGatewayOptions) {
    this.client = options.client;
    this.poster = options.poster ?? sdkPoster(options.client);
    this.concurrency = options.concurrency ?? defaultSendConcurrency;
    this.retry = { ...defaultPostRetry, ...options.retry };
    this.metrics = options.metrics;
    this.random = options.random ?? Math.random;
    this.defaultDeadline = options.deadline;
    this.budgetMs = options.budgetMs ?? defaultSendBudgetMs;
    this.rate = options.rate ?? new AdaptiveRate();
    this.evidence = options.evidence ?? new ThrottleEvidence();
  }

  /** Posts/s this gateway paces itself to (Infinity: unthrottled so far). */
  get pacePerSecond(): number {
    return this.rate.perSecond;
  }

  async send(
    connectionIds: readonly string[],
    frame: string,
    options: SendOptions = {},
  ): Promise<DeliveryReport> {
    const report: Required<DeliveryReport> = { delivered: 0, gone: [], failed: [], deferred: [] };
    const settled = (): DeliveryReport => {
      if (report.deferred.length === 0)
        return { delivered: report.delivered, gone: report.gone, failed: report.failed };
      this.metrics?.count('deferredDeliveries', report.deferred.length);
      return report;
    };
    const deadline = options.deadline ?? this.defaultDeadline?.() ?? Date.now() + this.budgetMs;
    // Encoded once per send: every post shares the same bytes (and the signed path hashes them once).
    const data = this.encoder.encode(frame);
    const ready: Pending[] = connectionIds.map((connectionId) => ({
      connectionId,
      ownFailures: 0,
      refusedInARow: 0,
    }));
    let next = 0;
    /** Receivers in a backoff timer, and posts in flight: work that may come back into `ready`. */
    let waiting = 0;
    let inFlight = 0;
    let wake = signal();
    const notify = () => {
      wake.resolve();
      wake = signal();
    };
    const enqueue = (pending: Pending) => {
      ready.push(pending);
      notify();
    };
    const later = (pending: Pending, delayMs: number) => {
      if (Date.now() + delayMs >= deadline) {
        report.deferred.push(pending.connectionId);
        return;
      }
      waiting++;
      setTimeout(() => {
        waiting--;
        enqueue(pending);
      }, delayMs);
    };
    const ownFailure = (pending: Pending, error: unknown) => {
      pending.ownFailures++;
      if (pending.ownFailures >= this.retry.maxAttempts) {
        if (isThrottled(error)) this.metrics?.count('slowReceivers');
        report.failed.push({ connectionId: pending.connectionId, error: describeReceiverError(error) });
        return;
      }
      this.metrics?.count('postRetries');
      later(pending, fullJitterDelay(pending.ownFailures - 1, this.retry, this.random));
    };

    const attempt = async (pending: Pending): Promise<void> => {
      try {
        await this.poster.post(pending.connectionId, data);
        this.accepted();
        report.delivered++;
        return;
      } catch (error) {
        if (isGone(error)) {
          this.accepted();
          report.gone.push(pending.connectionId);
          return;
        }
        if (!isThrottled(error)) {
          this.accepted();
          if (isRetryable(error)) ownFailure(pending, error);
          else report.failed.push({ connectionId: pending.connectionId, error: describeError(error) });
          return;
        }
        this.metrics?.count('throttled');
        pending.refusedInARow++;
        const cause = this.evidence.refused(pending.refusedInARow);
        if (cause === 'receiver') {
          ownFailure(pending, error);
          return;
        }
        this.metrics?.count('postRetries');
        if (cause === 'account') {
          if (this.rate.throttled()) this.metrics?.count('rateCuts');
          // Straight back in line: the pace, not a per-receiver delay, spaces the retries.
          enqueue(pending);
          return;
        }
        // No evidence yet whose 429 this is: a short backoff, no rate cut, no attempt used up.
        later(pending, fullJitterDelay(pending.refusedInARow - 1, this.retry, this.random));
      }
    };

    const worker = async (): Promise<void> => {
      for (;;) {
        if (next >= ready.length) {
          if (waiting === 0 && inFlight === 0) return;
          await wake.promise;
          continue;
        }
        const pending = ready[next++] as Pending;
        let wait = this.rate.reserve();
        while (wait > 0 && Date.now() + wait < deadline) {
          await sleep(wait);
          wait = this.rate.reserve();
        }
        if (wait > 0 || Date.now() >= deadline) {
          report.deferred.push(pending.connectionId);
          continue;
        }
        inFlight++;
        await attempt(pending);
        inFlight--;
        notify();
      }
    };
    const workers = Math.max(1, Math.min(this.concurrency, connectionIds.length));
    await Promise.all(Array.from({ length: workers }, worker));
    return settled();
  }

  /**
   * Presence's ghost check: `GetConnection` per id (bounded concurrency); 410 means gone. Any other outcome,
   * an error included, counts as present: a member is never hidden because the check itself failed.
   */
  async findGone(connectionIds: readonly string[]): Promise<string[]> {
    const gone: string[] = [];
    await mapLimit(connectionIds, this.concurrency, async (connectionId) => {
      try {
        await this.client.send(new GetConnectionCommand({ ConnectionId: connectionId }));
      } catch (error) {
        if (isGone(error)) gone.push(connectionId);
      }
    });
    return gone;
  }

  async close(connectionId: string): Promise<void> {
    try {
      await this.client.send(new DeleteConnectionCommand({ ConnectionId: connectionId }));
    } catch (error) {
      if (!isGone(error)) throw error;
    }
  }

  private accepted(): void {
    this.rate.accepted();
    this.evidence.accepted();
  }
}

/** Posts through the SDK client itself (tests that inject faults with SDK middleware, and the baseline). */
export function sdkPoster(client: ApiGatewayManagementApiClient): Poster {
  return {
    post: async (ConnectionId, Data) => {
      await client.send(new PostToConnectionCommand({ ConnectionId, Data }));
    },
    destroy: () => client.destroy(),
  };
}

function describeReceiverError(error: unknown): string {
  const described = describeError(error);
  return isThrottled(error)
    ? `${described} (this receiver's buffer stayed full while others were delivered)`
    : described;
}

function signal(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => {};
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}
