/**
 * The one place the Lambda functions (WebSocket, `POST /publish`, fan-out worker) are assembled: store,
 * history retention, `@connections` gateway and its sockets, logger, metrics, fan-out queue and broker, from
 * one AwsRuntimeConfig. Each handler adds only its own event handling, so no function can size its sockets,
 * keep history or shard a publish differently from the others.
 */
import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { type AuthConfig, redactingLogger } from '../../core/auth/index.ts';
import type { Hooks } from '../../core/hooks/index.ts';
import { Broker, type BrokerSharding, type Logger } from '../../core/index.ts';
import { createDynamoDbClient } from '../../stores/dynamodb/client.ts';
import { DynamoDbStore } from '../../stores/dynamodb/dynamodb-store.ts';
import type { MonotonicClock } from '../../stores/dynamodb/pattern-marker-cache.ts';
import type { PostRetryOptions } from './api-gateway-gateway.ts';
import { type AwsRuntimeConfig, historyLimits, presenceLimits } from './config.ts';
import { createGateway, InvocationBudget, managementClientsFor } from './gateways.ts';
import type { ManagementClients } from './management-clients.ts';
import { powertoolsLoggerPort } from './powertools-logger.ts';
import { EmfMetrics } from './powertools-metrics.ts';
import { createSqsClient, SqsFanoutQueue } from './sqs-fanout-queue.ts';

/** The deployed functions (deploy/model): each logs under its own service name, and is otherwise alike. */
export const AwsFunctionServiceNames = {
  websocket: 'topicsocket',
  publish: 'topicsocket-publish',
  worker: 'topicsocket-worker',
} as const;
export type AwsFunction = keyof typeof AwsFunctionServiceNames;

/** Seams for tests (fault-injecting or recording clients, a fixed clock, captured logs and metrics), and auth. */
export interface AwsDependencies {
  dynamoDb?: DynamoDBClient;
  managementClients?: ManagementClients;
  postRetry?: Partial<PostRetryOptions>;
  now?: () => number;
  /** The pattern-marker cache's clock (stores/dynamodb/pattern-marker-cache.ts). */
  markerClock?: MonotonicClock;
  logger?: PowertoolsLogger;
  metrics?: EmfMetrics;
  /** The fan-out queue's client (TOPICSOCKET_FANOUT_QUEUE_URL); default: one for the configured endpoint. */
  sqs?: SQSClient;
  /**
   * Authentication, topic permissions and the publish rate (`loadAuthConfig(env, 'required')` in the real
   * entry points). Absent: the broker runs open.
   */
  auth?: AuthConfig;
  /** Server hooks (docs/hooks.md); the entry points pass the ones the deploy tools bundled (deployed-hooks.ts). */
  hooks?: Hooks;
  /** A hook call's budget, ms (TOPICSOCKET_HOOK_TIMEOUT_MS). */
  hookTimeoutMs?: number;
}

/** What a handler is built from; everything costly is created once per container. */
export interface AwsComposition {
  /** Powertools' logger, for per-invocation context and keys. */
  powertools: PowertoolsLogger;
  /** The same, as the core's port: tokens and API keys redacted, whatever a log call passes along. */
  logger: Logger;
  metrics: EmfMetrics;
  store: DynamoDbStore;
  /** `@connections` clients and sockets per endpoint, sized from TOPICSOCKET_SEND_CONCURRENCY. */
  clients: ManagementClients;
  /** The current invocation's deadlines: handlers `begin` and `end` it around each invocation. */
  budget: InvocationBudget;
  /** The fan-out queue's client; undefined without TOPICSOCKET_FANOUT_QUEUE_URL. */
  sqs: SQSClient | undefined;
  /** The sharded fan-out; undefined without a queue: every publish fans out inline. */
  sharding: BrokerSharding | undefined;
  /** One broker per `@connections` endpoint, created on first use and kept for the container's life. */
  brokerFor(endpoint: string): Broker;
}

export function composeAws(
  fn: AwsFunction,
  config: AwsRuntimeConfig,
  deps: AwsDependencies = {},
): AwsComposition {
  const powertools = deps.logger ?? new PowertoolsLogger({ serviceName: AwsFunctionServiceNames[fn] });
  const logger = redactingLogger(powertoolsLoggerPort(powertools));
  const metrics = deps.metrics ?? new EmfMetrics({ namespace: config.metricsNamespace });
  const store = new DynamoDbStore({
    client:
      deps.dynamoDb ??
      createDynamoDbClient(config.dynamodbEndpoint ? { endpoint: config.dynamodbEndpoint } : {}),
    tableName: config.tableName,
    pageSize: config.subscriberPageSize,
    ...(deps.now ? { now: deps.now } : {}),
    ...(deps.markerClock ? { markerCache: { clock: deps.markerClock } } : {}),
  });
  const clients = deps.managementClients ?? managementClientsFor(config);
  const budget = new InvocationBudget();
  const sqs = config.fanoutQueueUrl ? (deps.sqs ?? createSqsClient(config.sqsEndpoint)) : undefined;
  const sharding: BrokerSharding | undefined =
    config.fanoutQueueUrl && sqs
      ? {
          queue: new SqsFanoutQueue({ client: sqs, queueUrl: config.fanoutQueueUrl }),
          settings: {
            ...(config.fanoutThreshold === undefined ? {} : { threshold: config.fanoutThreshold }),
            // A shard reads its subscriber range in the same pages as an inline fan-out.
            pageSize: config.subscriberPageSize,
          },
        }
      : undefined;
  const { auth } = deps;
  const brokers = new Map<string, Broker>();

  const brokerFor = (endpoint: string): Broker => {
    let broker = brokers.get(endpoint);
    if (!broker) {
      broker = new Broker({
        store,
        gateway: createGateway(endpoint, {
          config,
          clients,
          metrics,
          budget,
          ...(deps.postRetry ? { retry: deps.postRetry } : {}),
        }),
        logger,
        metrics,
        limits: {
          maxSubscriptionsPerConnection: config.maxSubscriptions,
          // The same retention in every function: `ref` shards read the message back from history.
          ...historyLimits(config),
          ...presenceLimits(config),
          ...(auth?.publishRate === undefined ? {} : { publishRate: auth.publishRate }),
        },
        ...(auth ? { auth: auth.auth } : {}),
        ...(deps.now ? { now: deps.now } : {}),
        ...(sharding ? { sharding } : {}),
        fanoutReadDeadline: () => budget.readDeadline,
        ...(deps.hooks ? { hooks: deps.hooks } : {}),
        ...(deps.hookTimeoutMs === undefined ? {} : { hookTimeoutMs: deps.hookTimeoutMs }),
      });
      brokers.set(endpoint, broker);
    }
    return broker;
  };

  return { powertools, logger, metrics, store, clients, budget, sqs, sharding, brokerFor };
}
