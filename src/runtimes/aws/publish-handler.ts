import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { type AuthConfig, redactingLogger } from '../../core/auth/index.ts';
import type { Hooks } from '../../core/hooks/index.ts';
import { Broker } from '../../core/index.ts';
import { PublishApi } from '../../core/publish-api/index.ts';
import { createDynamoDbClient } from '../../stores/dynamodb/client.ts';
import { DynamoDbStore } from '../../stores/dynamodb/dynamodb-store.ts';
import { type AwsRuntimeConfig, historyLimits } from './config.ts';
import { sqsSharding } from './fanout-wiring.ts';
import { createGateway, InvocationBudget, managementClientsFor } from './gateways.ts';
import type { ManagementClients } from './management-clients.ts';
import { powertoolsLoggerPort } from './powertools-logger.ts';
import { EmfMetrics } from './powertools-metrics.ts';

/** How callers of the HTTP API's `POST /publish` route are authenticated. */
export type PublishRouteAuth =
  /** The route has AWS_IAM authorization: API Gateway checked the SigV4 signature; the handler requires its result. */
  | 'iam'
  /** The handler checks API keys (TOPICSOCKET_API_KEYS) or bearer JWTs itself. */
  | 'keys';

export interface PublishHandlerDependencies {
  dynamoDb?: DynamoDBClient;
  managementClients?: ManagementClients;
  logger?: PowertoolsLogger;
  sqs?: SQSClient;
  /** Server hooks (docs/hooks.md): onPublish runs for every message; the entry point passes the bundled ones. */
  hooks?: Hooks;
  hookTimeoutMs?: number;
}

type IamContext = { authorizer?: { iam?: { userArn?: string; callerId?: string } } };

/**
 * The Lambda behind the HTTP API route `POST /publish`: the same PublishApi as the local server, with the
 * DynamoDB store and the `@connections` gateway of the WebSocket API (TOPICSOCKET_MANAGEMENT_ENDPOINT is
 * required here: an HTTP API event says nothing about the WebSocket API).
 */
export function createPublishHandler(
  config: AwsRuntimeConfig,
  auth: AuthConfig,
  routeAuth: PublishRouteAuth,
  deps: PublishHandlerDependencies = {},
): (event: APIGatewayProxyEventV2, context?: Context) => Promise<APIGatewayProxyResultV2> {
  if (!config.managementEndpoint)
    throw new Error('the publish function needs TOPICSOCKET_MANAGEMENT_ENDPOINT');
  const powertools = deps.logger ?? new PowertoolsLogger({ serviceName: 'topicsocket-publish' });
  const logger = redactingLogger(powertoolsLoggerPort(powertools));
  const metrics = new EmfMetrics({ namespace: config.metricsNamespace });
  const store = new DynamoDbStore({
    client:
      deps.dynamoDb ??
      createDynamoDbClient(config.dynamodbEndpoint ? { endpoint: config.dynamodbEndpoint } : {}),
    tableName: config.tableName,
    pageSize: config.subscriberPageSize,
  });
  // Sockets, posts in flight and time budget from the same settings as the WebSocket function.
  const clients = deps.managementClients ?? managementClientsFor(config);
  const budget = new InvocationBudget();
  const sharding = sqsSharding(config, deps.sqs);
  const broker = new Broker({
    store,
    gateway: createGateway(config.managementEndpoint, { config, clients, metrics, budget }),
    logger,
    metrics,
    // The same retention as the WebSocket function, so both write the topic's history alike.
    limits: historyLimits(config),
    ...(sharding ? { sharding } : {}),
    fanoutReadDeadline: () => budget.readDeadline,
    ...(deps.hooks ? { hooks: deps.hooks } : {}),
    ...(deps.hookTimeoutMs === undefined ? {} : { hookTimeoutMs: deps.hookTimeoutMs }),
  });
  const api = new PublishApi({
    publish: (topic, data, options) => broker.publish(topic, data, options),
    check: (topic, data) => broker.assertPublishable(topic, data),
    beforePublish: (principal, topic, data) => broker.backendPublishHook(principal, topic, data),
    auth: {
      apiKeys: auth.apiKeys,
      ...(auth.auth.verifier ? { verifier: auth.auth.verifier } : {}),
      ...(auth.auth.permissions ? { permissions: auth.auth.permissions } : {}),
    },
    logger,
  });

  return async (event, context) => {
    const iam = (event.requestContext as unknown as IamContext).authorizer?.iam;
    if (routeAuth === 'iam' && !iam?.userArn) {
      // The route is meant to have IAM authorization; without its result, refuse rather than run open.
      return {
        statusCode: 401,
        headers: { 'content-type': 'application/json' },
        body: '{"type":"error","code":"unauthorized","message":"IAM authorization required","retryable":false}',
      };
    }
    const body =
      event.body === undefined
        ? ''
        : event.isBase64Encoded
          ? Buffer.from(event.body, 'base64').toString('utf8')
          : event.body;
    budget.begin(context);
    try {
      return await api.handle({
        method: event.requestContext.http.method,
        headers: event.headers ?? {},
        body,
        ...(routeAuth === 'iam' && iam?.userArn ? { verifiedPrincipal: iam.userArn } : {}),
      });
    } finally {
      budget.end();
      metrics.flush();
    }
  };
}
