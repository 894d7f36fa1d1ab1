/**
 * The whole stack as one value: what `deploy/cdk` and `deploy/serverless` both render.
 */
import { LambdaEnvironment } from '../../src/stores/dynamodb/table-design.ts';
import { DefaultThrottle, type ThrottleModel } from './api.ts';
import type { AuthSettings } from './auth.ts';
import { BundlingModel, FunctionModel, RuntimeEnvironment } from './function.ts';
import { type RouteModel, RouteSelectionExpression, Routes } from './routes.ts';
import { type TableModel, tableModel } from './table.ts';

export const ServiceName = 'topicsocket';

export interface StackOptions {
  stage: string;
  /** `@connections` endpoint override, required behind a custom domain (e.g. `https://ws.example.com`). */
  managementEndpoint?: string;
  /** AuthEnvironment variables to give the function (see auth.ts); none: auth required, no key source. */
  auth?: AuthSettings;
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
  return {
    serviceName: ServiceName,
    stage: options.stage,
    function: FunctionModel,
    bundling: BundlingModel,
    routeSelectionExpression: RouteSelectionExpression,
    routes: Routes,
    table: tableModel(ServiceName, options.stage),
    throttle: DefaultThrottle,
    auth: options.auth ?? {},
    managementEndpoint: endpoint,
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
