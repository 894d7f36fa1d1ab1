/**
 * The whole stack as one value: what `deploy/cdk` and `deploy/serverless` both render.
 */
import { LambdaEnvironment } from '../../src/core/config-env.ts';
import type { AccessLogMode } from './access-logs.ts';
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
import { type HooksModel, hooksModel } from './hooks.ts';
import { type DeployTool, ServiceName } from './naming.ts';
import { type PublishAuthMode, PublishAuthVariable } from './publish-route.ts';
import { type RouteModel, RouteSelectionExpression, Routes } from './routes.ts';
import { type AuthSecretModel, authSecretEnvironment, plainSecretProblem } from './secrets.ts';
import { type TableModel, tableModel } from './table.ts';

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
  /** Where the HS256 secret and API keys live (secrets.ts); none: no secret at all. */
  authSecret?: AuthSecretModel;
  /** Which tool renders the model (names its stack and table); default `cdk`. */
  tool?: DeployTool;
  /** An existing table to use instead of creating one (naming.ts, ExistingTableVariable). */
  existingTableName?: string;
  /** WebSocket stage access logs (access-logs.ts); default `on`. */
  webSocketAccessLogs?: AccessLogMode;
  /** SNS topic ARN the alarms notify. */
  alarmTopicArn?: string;
  /** The server hooks module to bundle into the functions (TOPICSOCKET_HOOKS; hooks.ts). */
  hooksFile?: string;
}

export interface StackModel {
  serviceName: string;
  stage: string;
  function: typeof FunctionModel;
  bundling: typeof BundlingModel;
  /** Server hooks bundled into the functions (hooks.ts). */
  hooks: HooksModel;
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
  authSecret: AuthSecretModel;
  tool: DeployTool;
  webSocketAccessLogs: AccessLogMode;
  alarmTopicArn: string | undefined;
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
  // A secret in the deploy environment would be written into the template: refused, whatever the tool.
  const secretProblem = plainSecretProblem(auth);
  if (secretProblem) throw new Error(secretProblem);
  const authSecret = options.authSecret ?? { source: { kind: 'none' } };
  const hasAuthSecret = authSecret.source.kind !== 'none';
  const connectAuth = options.connectAuth ?? 'function';
  const authorizerProblem =
    connectAuth === 'authorizer' ? connectAuthorizerProblem(auth, hasAuthSecret) : undefined;
  if (authorizerProblem) throw new Error(authorizerProblem);
  const existingTableName = options.existingTableName?.trim() || undefined;
  if (existingTableName !== undefined && !/^[A-Za-z0-9_.-]{3,255}$/.test(existingTableName)) {
    throw new Error(`existing table name "${existingTableName}" is not a DynamoDB table name`);
  }
  const alarmTopicArn = options.alarmTopicArn?.trim() || undefined;
  if (
    alarmTopicArn !== undefined &&
    !/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]+$/.test(alarmTopicArn)
  ) {
    throw new Error(`alarm topic "${alarmTopicArn}" is not an SNS topic ARN`);
  }
  const tool = options.tool ?? 'cdk';
  return {
    serviceName: ServiceName,
    stage: options.stage,
    function: FunctionModel,
    bundling: BundlingModel,
    hooks: hooksModel(options.hooksFile),
    routeSelectionExpression: RouteSelectionExpression,
    routes: Routes,
    table: tableModel(tool, options.stage, existingTableName),
    throttle: DefaultThrottle,
    auth,
    managementEndpoint: endpoint,
    publishFunction: PublishFunctionModel,
    publishAuth: options.publishAuth ?? 'iam',
    authorizerFunction: AuthorizerFunctionModel,
    connectAuth,
    authSecret,
    tool,
    webSocketAccessLogs: options.webSocketAccessLogs ?? 'on',
    alarmTopicArn,
  };
}

/** The function's environment: the table and endpoint under LambdaEnvironment's names, then auth settings. */
export function functionEnvironment(
  tableName: string,
  managementEndpoint: string,
  auth: AuthSettings = {},
  authSecret?: AuthSecretModel,
): Record<string, string> {
  return {
    [LambdaEnvironment.tableName]: tableName,
    [LambdaEnvironment.managementEndpoint]: managementEndpoint,
    ...RuntimeEnvironment,
    ...auth,
    ...(authSecret ? authSecretEnvironment(authSecret) : {}),
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
  authSecret?: AuthSecretModel,
): Record<string, string> {
  const settings =
    publishAuth === 'iam'
      ? Object.fromEntries(Object.entries(auth).filter(([name]) => !SecretAuthVariables.includes(name)))
      : auth;
  return {
    // With `iam` no key is read: not even the secret's ARN.
    ...functionEnvironment(
      tableName,
      managementEndpoint,
      settings,
      publishAuth === 'iam' ? undefined : authSecret,
    ),
    [PublishAuthVariable]: publishAuth,
  };
}

/** The `$connect` authorizer's environment: token verification and permission claims only. */
export function authorizerEnvironment(
  auth: AuthSettings,
  authSecret?: AuthSecretModel,
): Record<string, string> {
  return {
    ...RuntimeEnvironment,
    ...authorizerAuthSettings(auth),
    ...(authSecret ? authSecretEnvironment(authSecret) : {}),
  };
}
