/**
 * topicsocket as a CDK stack, rendered from deploy/model: nothing about the functions, routes, table or IAM
 * is decided here, only how CDK spells it.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Annotations, Aws, CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  HttpApi,
  HttpMethod,
  HttpNoneAuthorizer,
  HttpStage,
  LogGroupLogDestination,
  WebSocketApi,
  WebSocketStage,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer, WebSocketLambdaAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration, WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { AttributeType, BillingMode, type ITable, ProjectionType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import {
  AccessLogRetentionDays,
  type ArnReferences,
  authorizerEnvironment,
  authSecretStatements,
  authWarning,
  ConnectionMethods,
  defaultManagementEndpoint,
  type FunctionSpec,
  functionEnvironment,
  HttpAccessLogFormat,
  IndexProjection,
  LambdaServicePrincipal,
  logsStatement,
  OutputNames,
  type PolicyStatementModel,
  PublishRoute,
  PublishRouteAuthorization,
  PublishThrottle,
  policyStatements,
  publishAuthWarning,
  publishFunctionEnvironment,
  publishPolicyStatements,
  publishUrl,
  type StackModel,
  WebSocketAccessLogFormat,
  webSocketUrl,
} from '../../model/index.ts';
import { Alarms } from './alarms.ts';
import { addFanout } from './fanout-resources.ts';
import { acknowledgeReviewedFindings } from './nag-acknowledgements.ts';
import { PongRoute } from './pong-route.ts';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

export interface TopicsocketStackProps extends StackProps {
  model: StackModel;
}

export class TopicsocketStack extends Stack {
  constructor(scope: Construct, id: string, props: TopicsocketStackProps) {
    super(scope, id, props);
    const { model } = props;
    const hasAuthSecret = model.authSecret.source.kind !== 'none';
    const warning = authWarning(model.auth, hasAuthSecret);
    if (warning) Annotations.of(this).addWarningV2('topicsocket:auth', warning);
    const publishWarning = publishAuthWarning(model.publishAuth, model.auth, hasAuthSecret);
    if (publishWarning) Annotations.of(this).addWarningV2('topicsocket:publish-auth', publishWarning);

    const table = this.table(model);

    const api = new WebSocketApi(this, 'Api', {
      apiName: this.stackName,
      routeSelectionExpression: model.routeSelectionExpression,
    });
    new WebSocketStage(this, 'Stage', {
      webSocketApi: api,
      stageName: model.stage,
      autoDeploy: true,
      throttle: { rateLimit: model.throttle.rateLimit, burstLimit: model.throttle.burstLimit },
      // Needs the account's API Gateway CloudWatch role (access-logs.ts); `off` deploys without.
      ...(model.webSocketAccessLogs === 'on'
        ? { accessLogSettings: this.accessLogs('AccessLogs', WebSocketAccessLogFormat) }
        : {}),
    });
    const managementEndpoint =
      model.managementEndpoint ??
      defaultManagementEndpoint(api.apiId, Aws.REGION, Aws.URL_SUFFIX, model.stage);

    const refs: ArnReferences = {
      partition: Aws.PARTITION,
      region: Aws.REGION,
      account: Aws.ACCOUNT_ID,
      tableArn: table.tableArn,
      apiId: api.apiId,
      stage: model.stage,
    };
    const fn = this.bundledFunction(
      'Function',
      model,
      model.function,
      functionEnvironment(table.tableName, managementEndpoint, model.auth, model.authSecret),
      [...policyStatements(model.table, refs), ...authSecretStatements(model.authSecret)],
    );

    const integration = new WebSocketLambdaIntegration('FunctionIntegration', fn);
    // No identity sources: they are ANDed and each must be present, while the token may come in a header,
    // the subprotocol or the query string. Without them API Gateway cannot cache, so it runs on every connect.
    const authorizerFn =
      model.connectAuth === 'authorizer'
        ? this.bundledFunction(
            'ConnectAuthorizerFunction',
            model,
            model.authorizerFunction,
            authorizerEnvironment(model.auth, model.authSecret),
            authSecretStatements(model.authSecret),
          )
        : undefined;
    const authorizer = authorizerFn
      ? new WebSocketLambdaAuthorizer('ConnectAuthorizer', authorizerFn, { identitySource: [] })
      : undefined;
    for (const route of model.routes) {
      if (route.target === 'function') {
        api.addRoute(route.key, {
          integration,
          returnResponse: route.routeResponse,
          ...(route.key === '$connect' && authorizer ? { authorizer } : {}),
        });
      } else {
        new PongRoute(this, 'PingRoute', { apiId: api.apiId, routeKey: route.key });
      }
    }

    // The server-side publish API: an HTTP API whose one route invokes the publish function.
    const publishFn = this.bundledFunction(
      'PublishFunction',
      model,
      model.publishFunction,
      publishFunctionEnvironment(
        table.tableName,
        managementEndpoint,
        model.auth,
        model.publishAuth,
        model.authSecret,
      ),
      [
        ...publishPolicyStatements(model.table, refs),
        // With `iam` API Gateway authenticates callers: the function may not read any key.
        ...(model.publishAuth === 'keys' ? authSecretStatements(model.authSecret) : []),
      ],
    );
    const publishApi = new HttpApi(this, 'PublishApi', {
      apiName: `${this.stackName}-publish`,
      createDefaultStage: false,
    });
    const publishStage = new HttpStage(this, 'PublishStage', {
      httpApi: publishApi,
      autoDeploy: true,
      throttle: { rateLimit: PublishThrottle.rateLimit, burstLimit: PublishThrottle.burstLimit },
      accessLogSettings: this.accessLogs('PublishAccessLogs', HttpAccessLogFormat),
    });
    publishApi.addRoutes({
      path: PublishRoute.path,
      methods: [HttpMethod[PublishRoute.method]],
      integration: new HttpLambdaIntegration('PublishIntegration', publishFn),
      authorizer:
        PublishRouteAuthorization[model.publishAuth] === 'AWS_IAM'
          ? new HttpIamAuthorizer()
          : new HttpNoneAuthorizer(),
    });

    // The sharded fan-out of big topics (deploy/model/fanout.ts).
    const fanout = addFanout(this, {
      model,
      refs,
      tableName: table.tableName,
      managementEndpoint,
      publishers: [fn, publishFn],
      bundle: (id, spec, environment, statements) =>
        this.bundledFunction(id, model, spec, environment, statements),
    });

    const alarms = new Alarms(this, 'Alarms', {
      functions: [
        { label: 'websocket', name: fn.functionName },
        { label: 'publish', name: publishFn.functionName },
        ...(authorizerFn ? [{ label: 'connectAuthorizer', name: authorizerFn.functionName }] : []),
      ],
      webSocketApiId: api.apiId,
      webSocketStage: model.stage,
      httpApiId: publishApi.apiId,
      httpStage: publishStage.stageName,
      tableName: table.tableName,
      ...(model.alarmTopicArn ? { topicArn: model.alarmTopicArn } : {}),
    });
    // Every alarm of the stack notifies the one topic, the fan-out's DLQ and worker alarms included.
    if (alarms.action) {
      for (const alarm of fanout.alarms) {
        alarm.addAlarmAction(alarms.action);
        alarm.addOkAction(alarms.action);
      }
    }

    acknowledgeReviewedFindings(this, model, {
      webSocketApi: api,
      roles: [
        { role: fn.role, methods: ConnectionMethods },
        { role: publishFn.role, methods: ['POST'] },
        { role: fanout.worker.role, methods: ['POST'] },
      ],
      table: model.table.existing ? undefined : table,
    });

    new CfnOutput(this, OutputNames.webSocketUrl, {
      value: webSocketUrl(api.apiId, Aws.REGION, Aws.URL_SUFFIX, model.stage),
      description: 'Point clients here',
    });
    new CfnOutput(this, OutputNames.managementEndpoint, {
      value: managementEndpoint,
      description: '@connections endpoint the function posts to',
    });
    new CfnOutput(this, OutputNames.tableName, { value: table.tableName });
    new CfnOutput(this, OutputNames.publishUrl, {
      value: publishUrl(publishApi.apiId, Aws.REGION, Aws.URL_SUFFIX),
      description: `POST here to publish (${model.publishAuth === 'iam' ? 'SigV4-signed, AWS_IAM' : 'API key or bearer JWT'})`,
    });
  }

  /**
   * The stage's table with deletion protection when retained, or (ExistingTableVariable) an existing table
   * by name: the path back to a retained `prod` table after a destroy (docs/deploy.md).
   */
  private table(model: StackModel): ITable {
    if (model.table.existing) return Table.fromTableName(this, 'Table', model.table.name);
    const table = new Table(this, 'Table', {
      tableName: model.table.name,
      partitionKey: { name: model.table.partitionKey, type: AttributeType.STRING },
      sortKey: { name: model.table.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode[model.table.billingMode],
      timeToLiveAttribute: model.table.ttlAttribute,
      removalPolicy: model.table.retainOnDelete ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      deletionProtection: model.table.deletionProtection,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: model.table.pointInTimeRecovery },
    });
    for (const index of model.table.indexes) {
      table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        ...(index.sortKey ? { sortKey: { name: index.sortKey, type: AttributeType.STRING } } : {}),
        projectionType: ProjectionType[IndexProjection],
      });
    }
    return table;
  }

  /** An API's access log group (the functions' retention) and the model's one-line JSON format. */
  private accessLogs(id: string, format: string) {
    const group = new LogGroup(this, id, {
      retention: retentionDays(AccessLogRetentionDays),
      removalPolicy: RemovalPolicy.DESTROY,
    });
    return { destination: new LogGroupLogDestination(group), format: AccessLogFormat.custom(format) };
  }

  /**
   * One bundled function with its own log group and its own role, which holds exactly `statements` plus
   * writing that log group: an explicit role instead of the default one, whose managed policy grants logs
   * actions on `*`.
   */
  private bundledFunction(
    id: string,
    model: StackModel,
    spec: FunctionSpec,
    environment: Record<string, string>,
    statements: readonly PolicyStatementModel[],
  ): NodejsFunction {
    const logGroup = new LogGroup(this, id === 'Function' ? 'FunctionLogs' : `${id}Logs`, {
      retention: retentionDays(spec.logRetentionDays),
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const role = new Role(this, `${id}Role`, { assumedBy: new ServicePrincipal(LambdaServicePrincipal) });
    const fn = new NodejsFunction(this, id, {
      entry: join(repoRoot, spec.entry),
      handler: spec.handler,
      runtime: lambdaRuntime(spec.runtime),
      architecture: spec.architecture === 'arm64' ? Architecture.ARM_64 : Architecture.X86_64,
      memorySize: spec.memoryMb,
      timeout: Duration.seconds(spec.timeoutSeconds),
      environment,
      logGroup,
      role,
      projectRoot: repoRoot,
      depsLockFilePath: join(repoRoot, 'package-lock.json'),
      bundling: {
        minify: model.bundling.minify,
        sourceMap: model.bundling.sourceMap,
        target: model.bundling.target,
        format: model.bundling.format === 'cjs' ? OutputFormat.CJS : OutputFormat.ESM,
        mainFields: [...model.bundling.mainFields],
        externalModules: [...model.bundling.externalModules],
        forceDockerBundling: false,
        // TOPICSOCKET_HOOKS at synth: the hooks module in place of the entry points' empty one (model/hooks.ts).
        ...hooksEsbuildArgs(model),
      },
    });
    // Exactly the model's statements; `grant*` helpers would add actions the handler never uses.
    for (const statement of [...statements, logsStatement(logGroup.logGroupArn)]) {
      role.addToPolicy(
        new PolicyStatement({
          sid: statement.sid,
          actions: [...statement.actions],
          resources: [...statement.resources],
        }),
      );
    }
    return fn;
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

/** esbuild's `--alias:ID=FILE` per alias of the model's hooks (none without hooks). */
function hooksEsbuildArgs(model: StackModel): { esbuildArgs?: Record<string, string> } {
  const entries = Object.entries(model.hooks.alias);
  if (entries.length === 0) return {};
  return { esbuildArgs: Object.fromEntries(entries.map(([id, file]) => [`--alias:${id}`, file])) };
}
