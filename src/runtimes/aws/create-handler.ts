import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import { type AuthConfig, redactingLogger } from '../../core/auth/index.ts';
import type { Hooks } from '../../core/hooks/index.ts';
import { Broker, type WebSocketEvent, type WebSocketResult } from '../../core/index.ts';
import { createDynamoDbClient } from '../../stores/dynamodb/client.ts';
import { DynamoDbStore } from '../../stores/dynamodb/dynamodb-store.ts';
import type { PostRetryOptions } from './api-gateway-gateway.ts';
import { type AwsRuntimeConfig, historyLimits } from './config.ts';
import { sqsSharding } from './fanout-wiring.ts';
import { createGateway, InvocationBudget, managementClientsFor } from './gateways.ts';
import { type ManagementClients, managementEndpointFor } from './management-clients.ts';
import { powertoolsLoggerPort } from './powertools-logger.ts';
import { EmfMetrics } from './powertools-metrics.ts';

/** Seams for tests: fault-injecting clients, a fixed clock, captured logs and metrics. */
export interface AwsHandlerDependencies {
  dynamoDb?: DynamoDBClient;
  managementClients?: ManagementClients;
  postRetry?: Partial<PostRetryOptions>;
  now?: () => number;
  logger?: PowertoolsLogger;
  metrics?: EmfMetrics;
  /**
   * Authentication, topic permissions and the publish rate (`loadAuthConfig(env, 'required')` in the real
   * entry point). Absent: the broker runs open.
   */
  auth?: AuthConfig;
  /** The fan-out queue's client (TOPICSOCKET_FANOUT_QUEUE_URL); default: one for the configured endpoint. */
  sqs?: SQSClient;
  /** Server hooks (docs/hooks.md); the entry point passes the ones the deploy tools bundled. */
  hooks?: Hooks;
  /** A hook call's budget, ms (TOPICSOCKET_HOOK_TIMEOUT_MS). */
  hookTimeoutMs?: number;
}

export type WebSocketLambdaHandler = (event: WebSocketEvent, context?: Context) => Promise<WebSocketResult>;

/**
 * Builds the Lambda handler: everything costly (SDK clients, store, brokers per endpoint) is created once per
 * container and reused by every invocation. Each invocation logs with connectionId/routeKey/requestId keys
 * (never tokens or bodies) and flushes its metrics as one EMF document.
 */
export function createAwsHandler(
  config: AwsRuntimeConfig,
  deps: AwsHandlerDependencies = {},
): WebSocketLambdaHandler {
  const logger = deps.logger ?? new PowertoolsLogger({ serviceName: 'topicsocket' });
  const metrics = deps.metrics ?? new EmfMetrics({ namespace: config.metricsNamespace });
  const dynamoDb =
    deps.dynamoDb ??
    createDynamoDbClient(config.dynamodbEndpoint ? { endpoint: config.dynamodbEndpoint } : {});
  const store = new DynamoDbStore({
    client: dynamoDb,
    tableName: config.tableName,
    pageSize: config.subscriberPageSize,
    ...(deps.now ? { now: deps.now } : {}),
  });
  const clients = deps.managementClients ?? managementClientsFor(config);
  const budget = new InvocationBudget();
  // Tokens and API keys never reach CloudWatch, whatever a log call passes along.
  const loggerPort = redactingLogger(powertoolsLoggerPort(logger));
  const brokers = new Map<string, Broker>();
  const sharding = sqsSharding(config, deps.sqs);

  const brokerFor = (endpoint: string): Broker => {
    let broker = brokers.get(endpoint);
    if (!broker) {
      const gateway = createGateway(endpoint, {
        config,
        clients,
        metrics,
        budget,
        ...(deps.postRetry ? { retry: deps.postRetry } : {}),
      });
      broker = new Broker({
        store,
        gateway,
        logger: loggerPort,
        metrics,
        limits: {
          maxSubscriptionsPerConnection: config.maxSubscriptions,
          ...historyLimits(config),
          ...(deps.auth?.publishRate === undefined ? {} : { publishRate: deps.auth.publishRate }),
        },
        ...(deps.auth ? { auth: deps.auth.auth } : {}),
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

  return async (event, context) => {
    const { connectionId, routeKey, requestId } = event.requestContext;
    const keys = { connectionId, routeKey, requestId };
    if (context) logger.addContext(context);
    logger.appendKeys(keys);
    const started = Date.now();
    // Fan-out stops starting posts in time to count what it could not send and to answer (gateways.ts).
    budget.begin(context);
    try {
      // $connect never posts to the connection: it exists only once this handler has returned 2xx.
      const result = await brokerFor(
        managementEndpointFor(config.managementEndpoint, event.requestContext),
      ).handle(event);
      logger.debug('route handled', { statusCode: result.statusCode, durationMs: Date.now() - started });
      return result;
    } catch (error) {
      metrics.count('errors');
      logger.error('invocation failed', { error: error instanceof Error ? error.message : String(error) });
      return { statusCode: 500 };
    } finally {
      budget.end();
      metrics.flush();
      logger.removeKeys(Object.keys(keys));
    }
  };
}
