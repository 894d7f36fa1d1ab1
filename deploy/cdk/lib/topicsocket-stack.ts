/**
 * topicsocket as a CDK stack, rendered from deploy/model: nothing about the function, routes, table or IAM
 * is decided here, only how CDK spells it.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Annotations, Aws, CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { WebSocketApi, WebSocketStage } from 'aws-cdk-lib/aws-apigatewayv2';
import { WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { AttributeType, BillingMode, ProjectionType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import {
  authWarning,
  defaultManagementEndpoint,
  functionEnvironment,
  IndexProjection,
  LambdaServicePrincipal,
  logsStatement,
  OutputNames,
  policyStatements,
  type StackModel,
  webSocketUrl,
} from '../../model/index.ts';
import { PongRoute } from './pong-route.ts';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

export interface TopicsocketStackProps extends StackProps {
  model: StackModel;
}

export class TopicsocketStack extends Stack {
  constructor(scope: Construct, id: string, props: TopicsocketStackProps) {
    super(scope, id, props);
    const { model } = props;
    const warning = authWarning(model.auth);
    if (warning) Annotations.of(this).addWarningV2('topicsocket:auth', warning);

    const table = new Table(this, 'Table', {
      tableName: model.table.name,
      partitionKey: { name: model.table.partitionKey, type: AttributeType.STRING },
      sortKey: { name: model.table.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode[model.table.billingMode],
      timeToLiveAttribute: model.table.ttlAttribute,
      removalPolicy: model.table.retainOnDelete ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    for (const index of model.table.indexes) {
      table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        ...(index.sortKey ? { sortKey: { name: index.sortKey, type: AttributeType.STRING } } : {}),
        projectionType: ProjectionType[IndexProjection],
      });
    }

    const api = new WebSocketApi(this, 'Api', {
      apiName: `${model.serviceName}-${model.stage}`,
      routeSelectionExpression: model.routeSelectionExpression,
    });
    new WebSocketStage(this, 'Stage', {
      webSocketApi: api,
      stageName: model.stage,
      autoDeploy: true,
      throttle: { rateLimit: model.throttle.rateLimit, burstLimit: model.throttle.burstLimit },
    });
    const managementEndpoint =
      model.managementEndpoint ??
      defaultManagementEndpoint(api.apiId, Aws.REGION, Aws.URL_SUFFIX, model.stage);

    const logGroup = new LogGroup(this, 'FunctionLogs', {
      retention: retentionDays(model.function.logRetentionDays),
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // An explicit role instead of the default one, whose managed policy grants logs actions on `*`.
    const role = new Role(this, 'FunctionRole', { assumedBy: new ServicePrincipal(LambdaServicePrincipal) });

    const fn = new NodejsFunction(this, 'Function', {
      entry: join(repoRoot, model.function.entry),
      handler: model.function.handler,
      runtime: lambdaRuntime(model.function.runtime),
      architecture: model.function.architecture === 'arm64' ? Architecture.ARM_64 : Architecture.X86_64,
      memorySize: model.function.memoryMb,
      timeout: Duration.seconds(model.function.timeoutSeconds),
      environment: functionEnvironment(table.tableName, managementEndpoint, model.auth),
      logGroup,
      role,
      projectRoot: repoRoot,
      depsLockFilePath: join(repoRoot, 'package-lock.json'),
      bundling: {
        minify: model.bundling.minify,
        sourceMap: model.bundling.sourceMap,
        target: model.bundling.target,
        format: model.bundling.format === 'cjs' ? OutputFormat.CJS : OutputFormat.ESM,
        externalModules: [...model.bundling.externalModules],
        forceDockerBundling: false,
      },
    });

    // Exactly the model's statements; `grant*` helpers would add actions the handler never uses.
    const statements = policyStatements(model.table, {
      partition: Aws.PARTITION,
      region: Aws.REGION,
      account: Aws.ACCOUNT_ID,
      tableArn: table.tableArn,
      apiId: api.apiId,
      stage: model.stage,
    });
    for (const statement of [...statements, logsStatement(logGroup.logGroupArn)]) {
      role.addToPolicy(
        new PolicyStatement({
          sid: statement.sid,
          actions: [...statement.actions],
          resources: [...statement.resources],
        }),
      );
    }

    const integration = new WebSocketLambdaIntegration('FunctionIntegration', fn);
    for (const route of model.routes) {
      if (route.target === 'function') {
        api.addRoute(route.key, { integration, returnResponse: route.routeResponse });
      } else {
        new PongRoute(this, 'PingRoute', { apiId: api.apiId, routeKey: route.key });
      }
    }

    new CfnOutput(this, OutputNames.webSocketUrl, {
      value: webSocketUrl(api.apiId, Aws.REGION, Aws.URL_SUFFIX, model.stage),
      description: 'Point clients here',
    });
    new CfnOutput(this, OutputNames.managementEndpoint, {
      value: managementEndpoint,
      description: '@connections endpoint the function posts to',
    });
    new CfnOutput(this, OutputNames.tableName, { value: table.tableName });
  }
}

function lambdaRuntime(name: string): Runtime {
  const runtime = Runtime.ALL.find((candidate) => candidate.name === name);
  if (!runtime) throw new Error(`unknown Lambda runtime ${name}`);
  return runtime;
}

function retentionDays(days: number): RetentionDays {
  const valid = Object.values(RetentionDays).filter(
    (value): value is RetentionDays => typeof value === 'number',
  );
  const match = valid.find((value) => value === days);
  if (match === undefined) throw new Error(`${days} days is not a CloudWatch Logs retention period`);
  return match;
}
