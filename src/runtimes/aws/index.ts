/** The AWS runtime: API Gateway `@connections` gateway, Lambda handler factory, config, observability. */
export {
  ApiGatewayGateway,
  type ApiGatewayGatewayOptions,
  defaultPostRetry,
  sdkPoster,
} from './api-gateway-gateway.ts';
export {
  type AwsComposition,
  type AwsDependencies,
  type AwsFunction,
  AwsFunctionServiceNames,
  composeAws,
} from './compose.ts';
export { type AwsRuntimeConfig, ConfigError, loadAwsRuntimeConfig, loadPublishAuth } from './config.ts';
export {
  type AwsHandlerDependencies,
  createAwsHandler,
  type WebSocketLambdaHandler,
} from './create-handler.ts';
export { createGateway, DELIVERY_MARGIN_MS, InvocationBudget, managementClientsFor } from './gateways.ts';
export {
  defaultManagementClient,
  type ManagementClientOptions,
  ManagementClients,
  type ManagementClientsOptions,
  managementEndpointFor,
} from './management-clients.ts';
export { describeError, isGone, isRetryable, isThrottled } from './management-errors.ts';
export { powertoolsLoggerPort } from './powertools-logger.ts';
export { EmfMetrics } from './powertools-metrics.ts';
export { type Poster, SignedPoster, type SignedPosterOptions } from './signed-post.ts';
