/**
 * `topicsocket/aws`: what a Lambda deployment imports (docs/deploy.md): the handler factories behind the
 * three functions the stacks deploy, their configuration from the environment, and the AWS adapters. Loads
 * the AWS SDK and Powertools; `topicsocket` (the local server) does not.
 */
export {
  type AuthConfig,
  AuthConfigError,
  AuthEnvironment,
  loadAuthConfig,
} from '../core/auth/index.ts';
export {
  type ConnectAuthorizer,
  createConnectAuthorizer,
} from '../runtimes/aws/connect-authorizer.ts';
export * from '../runtimes/aws/index.ts';
export {
  createPublishHandler,
  type PublishHandlerDependencies,
  type PublishRouteAuth,
} from '../runtimes/aws/publish-handler.ts';
export {
  createWorkerHandler,
  type WorkerHandlerDependencies,
  type WorkerLambdaHandler,
} from '../runtimes/aws/worker-handler.ts';
