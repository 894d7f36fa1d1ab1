/**
 * The whole stack as one value: what `deploy/cdk` and `deploy/serverless` both render.
 */
import { LambdaEnvironment } from '../../src/stores/dynamodb/table-design.ts';
import { DefaultThrottle, type ThrottleModel } from './api.ts';
import {
  type AuthSettings,
  authorizerAuthSettings,
  type ConnectAuthMode,
  connectAuthorizerProblem,
  SecretAuthVariables,
} from './auth.ts';
import {
  AuthorizerFunctionModel,
  BundlingModel,
  FunctionModel,
  type FunctionSpec,
  PublishFunctionModel,
  RuntimeEnvironment,
} from './function.ts';
import { type PublishAuthMode, PublishAuthVariable } from './publish-route.ts';
import { type RouteModel, RouteSelectionExpression, Routes } from './routes.ts';
import { type TableModel, tableModel } from './table.ts';

export const ServiceName = 'topicsocket';

export interface StackOptions {
  stage: string;
  /** `@connections` endpoint override, required behind a custom domain (e.g. `https://ws.example.com`). */
  managementEndpoint?: string;
  /** AuthEnvironment variables to give the function (see auth.ts); none: auth required, no key source. */
  auth?: AuthSettings;
  /** How `POST /publish` callers authenticate (default `iam`: SigV4, AWS_IAM on the route). */
  publishAuth?: PublishAuthMode;
  /** Who verifies `$connect` tokens (default `function`; `authorizer` deploys a REQUEST Lambda authorizer). */
  connectAuth?: ConnectAuthMode;
}

export interface StackModel {
  serviceName: string;
  stage: string;
  function: typeof FunctionModel;
  bundling: typeof BundlingModel;
  routeSelectionExpression: string;
  routes: readonly RouteModel[];
  table: TableModel;
  throttle: ThrottleModel;
  auth: AuthSettings;
  managementEndpoint: string | undefined;
  publishFunction: FunctionSpec;
  publishAuth: PublishAuthMode;
  authorizerFunction: FunctionSpec;
  connectAuth: ConnectAuthMode;
}

const stagePattern = /^[a-z][a-z0-9-]{0,15}$/;

export function stackModel(options: StackOptions): StackModel {
  if (!stagePattern.test(options.stage)) {
    throw new Error(
      `stage "${options.stage}" must match ${stagePattern} (it names the table and the API stage)`,
    );
  }
  const endpoint = options.managementEndpoint?.trim() || undefined;
  if (endpoint !== undefined && !/^https?:\/\/[^/\s]+(\/[^\s]*)?$/.test(endpoint)) {
    throw new Error(`managementEndpoint "${endpoint}" must be an http(s) URL`);
  }
  const auth = options.auth ?? {};
  const connectAuth = options.connectAuth ?? 'function';
  const authorizerProblem = connectAuth === 'authorizer' ? connectAuthorizerProblem(auth) : undefined;
  if (authorizerProblem) throw new Error(authorizerProblem);
  return {
    serviceName: ServiceName,
    stage: options.stage,
    function: FunctionModel,
    bundling: BundlingModel,
    routeSelectionExpression: RouteSelectionExpression,
    routes: Routes,
    table: tableModel(ServiceName, options.stage),
    throttle: DefaultThrottle,
    auth,
    managementEndpoint: endpoint,
    publishFunction: PublishFunctionModel,
    publishAuth: options.publishAuth ?? 'iam',
    authorizerFunction: AuthorizerFunctionModel,
    connectAuth,
  };
}

/** The function's environment: the table and endpoint under LambdaEnvironment's names, then auth settings. */
export function functionEnvironment(
  tableName: string,
  managementEndpoint: string,
  auth: AuthSettings = {},
): Record<string, string> {
  return {
    [LambdaEnvironment.tableName]: tableName,
    [LambdaEnvironment.managementEndpoint]: managementEndpoint,
    ...RuntimeEnvironment,
    ...auth,
  };
}

/**
 * The publish function's environment: the WebSocket function's, plus its route's auth mode. With `iam`
 * API Gateway authenticates callers, so the secrets (HS256 secret, API keys) are left out.
 */
export function publishFunctionEnvironment(
  tableName: string,
  managementEndpoint: string,
  auth: AuthSettings,
  publishAuth: string,
): Record<string, string> {
  const settings =
    publishAuth === 'iam'
      ? Object.fromEntries(Object.entries(auth).filter(([name]) => !SecretAuthVariables.includes(name)))
      : auth;
  return {
    ...functionEnvironment(tableName, managementEndpoint, settings),
    [PublishAuthVariable]: publishAuth,
  };
}

/** The `$connect` authorizer's environment: token verification and permission claims only. */
export function authorizerEnvironment(auth: AuthSettings): Record<string, string> {
  return { ...RuntimeEnvironment, ...authorizerAuthSettings(auth) };
}
