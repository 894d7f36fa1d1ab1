/**
 * The API Gateway WebSocket emulator: any Lambda-shaped handler behind a local WebSocket API, with
 * API Gateway's connection ids, request contexts, `@connections` management API, limits and timers
 * (docs/local-runtime.md). It knows nothing of topicsocket's broker; the dev server (../local) builds on it.
 */
export { ConnectionTable, type ConnectionTableOptions } from './connection-table.ts';
export { ApiGatewayEmulator, type EmulatorOptions } from './emulator.ts';
export { type FaultSettings, noFaults } from './faults.ts';
export { normalizeResult, type WebSocketHandler } from './handler.ts';
export { awsStyleId } from './ids.ts';
export {
  type LambdaCallback,
  type LambdaContext,
  type LambdaFunction,
  type LambdaFunctionOptions,
  LambdaTimeoutError,
  lambdaHandler,
} from './lambda-function.ts';
export { defaultEmulatorLimits, type EmulatorLimits, resolveEmulatorLimits } from './limits.ts';
export { LocalGateway } from './local-gateway.ts';
export {
  DEFAULT_ROUTE_SELECTION_EXPRESSION,
  type RouteDefinition,
  type RouteTable,
  singleHandlerRoutes,
} from './routes.ts';
