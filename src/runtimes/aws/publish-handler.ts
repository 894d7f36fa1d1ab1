import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import type { AuthConfig } from '../../core/auth/index.ts';
import type { PublishAuthMode } from '../../core/config-env.ts';
import { PublishApi } from '../../core/publish-api/index.ts';
import { type AwsDependencies, composeAws } from './compose.ts';
import type { AwsRuntimeConfig } from './config.ts';

/**
 * How callers of the HTTP API's `POST /publish` route are authenticated (TOPICSOCKET_PUBLISH_AUTH):
 * `iam`, the route has AWS_IAM authorization and the handler requires its result; `keys`, the handler checks
 * API keys (TOPICSOCKET_API_KEYS) or bearer JWTs itself.
 */
export type PublishRouteAuth = PublishAuthMode;

/** The publish function's seams: the ones every function has (compose.ts); auth is an argument here. */
export type PublishHandlerDependencies = Omit<AwsDependencies, 'auth'>;

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
  // The same parts as the WebSocket function (compose.ts): sockets, posts in flight, time budget, retention.
  const { logger, metrics, budget, brokerFor } = composeAws('publish', config, { ...deps, auth });
  const broker = brokerFor(config.managementEndpoint);
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
