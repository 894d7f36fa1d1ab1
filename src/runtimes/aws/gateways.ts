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

/** The current invocation's delivery deadline (epoch ms); one invocation at a time per container. */
export class InvocationBudget {
  deadline: number | undefined;

  begin(context: Pick<Context, 'getRemainingTimeInMillis'> | undefined): void {
    this.deadline = context
      ? Date.now() + context.getRemainingTimeInMillis() - DELIVERY_MARGIN_MS
      : undefined;
  }

  end(): void {
    this.deadline = undefined;
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
