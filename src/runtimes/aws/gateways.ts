/**
 * How both Lambdas (the WebSocket function and the `POST /publish` function) build their `@connections`
 * gateway: the same sockets, concurrency and time budget from the same settings, so neither can drift.
 */
import type { Context } from 'aws-lambda';
import type { Metrics } from '../../core/index.ts';
import { ApiGatewayGateway, type PostRetryOptions } from './api-gateway-gateway.ts';
import type { AwsRuntimeConfig } from './config.ts';
import { ManagementClients } from './management-clients.ts';

/**
 * Kept back from the invocation's remaining time when fan-out stops starting posts: enough to read the
 * remaining subscriber pages (each counted as abandoned if it cannot be sent), remove gone connections and
 * answer before the function is killed (API Gateway gives up on it at 29 s anyway).
 */
export const DELIVERY_MARGIN_MS = 4_000;

/**
 * Kept back when fan-out stops even reading subscriber pages (the rest is then not counted, only flagged:
 * `truncatedFanouts`): enough to log, flush metrics and answer before Lambda kills the invocation.
 */
export const ANSWER_MARGIN_MS = 1_500;

/** The current invocation's deadlines (epoch ms); one invocation at a time per container. */
export class InvocationBudget {
  /** No post is started after it. */
  deadline: number | undefined;
  /** No subscriber page is read after it. */
  readDeadline: number | undefined;

  begin(context: Pick<Context, 'getRemainingTimeInMillis'> | undefined): void {
    if (!context) {
      this.end();
      return;
    }
    const end = Date.now() + context.getRemainingTimeInMillis();
    this.deadline = end - DELIVERY_MARGIN_MS;
    this.readDeadline = end - ANSWER_MARGIN_MS;
  }

  end(): void {
    this.deadline = undefined;
    this.readDeadline = undefined;
  }
}

/** Sockets per endpoint sized from TOPICSOCKET_SEND_CONCURRENCY: one per post in flight. */
export function managementClientsFor(config: AwsRuntimeConfig): ManagementClients {
  return new ManagementClients(undefined, { maxSockets: config.sendConcurrency });
}

export function createGateway(
  endpoint: string,
  deps: {
    config: AwsRuntimeConfig;
    clients: ManagementClients;
    metrics: Metrics;
    budget: InvocationBudget;
    retry?: Partial<PostRetryOptions>;
  },
): ApiGatewayGateway {
  return new ApiGatewayGateway({
    client: deps.clients.for(endpoint),
    poster: deps.clients.posterFor(endpoint),
    concurrency: deps.config.sendConcurrency,
    metrics: deps.metrics,
    deadline: () => deps.budget.deadline,
    ...(deps.retry ? { retry: deps.retry } : {}),
  });
}
