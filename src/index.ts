/**
 * `topicsocket`: the server side that runs anywhere, with no AWS SDK: the protocol, the transport-agnostic
 * core, the embedded store and the local runtime (`startLocalServer`, the API Gateway emulator). The AWS
 * runtime is `topicsocket/aws` and the DynamoDB store `topicsocket/dynamodb`, so local users never load the
 * AWS SDK; the client SDK is `topicsocket/client` (the `@topicsocket/client` package).
 */
export {
  type AuthConfig,
  AuthConfigError,
  type AuthOptions,
  type Claims,
  type JwtConfig,
  JwtVerifier,
  loadAuthConfig,
  type PermissionsConfig,
  type TokenVerifier,
} from './core/auth/index.ts';
export {
  type ConnectContext,
  type ConnectionContext,
  defineHooks,
  type HookPublishReceipt,
  HookRejection,
  type HookRejectionCode,
  type Hooks,
  type PublishCaller,
  type PublishContext,
  type PublishHookResult,
  type RpcMethod,
  type ServerContext,
} from './core/hooks/index.ts';
export {
  Broker,
  type BrokerLimits,
  type BrokerOptions,
  defaultBrokerLimits,
  type FanoutResult,
  type PublishResult,
  type RequestContext,
  Routes,
  type WebSocketEvent,
  type WebSocketResult,
} from './core/index.ts';
export * from './core/ports/index.ts';
export type { PublishApiAuth, PublishApiOptions } from './core/publish-api/index.ts';
export * from './protocol/index.ts';
export {
  ApiGatewayEmulator,
  ConsoleLogger,
  type ConsoleLoggerOptions,
  DEFAULT_HOST,
  DEFAULT_PORT,
  defaultEmulatorLimits,
  type EmulatorLimits,
  type EmulatorOptions,
  LocalGateway,
  type LocalServer,
  type LocalServerOptions,
  type LogLevel,
  startLocalServer,
  type WebSocketHandler,
} from './runtimes/local/index.ts';
export * from './stores/index.ts';
