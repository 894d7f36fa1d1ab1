/**
 * What every rendered template must hold, whichever tool rendered it: the facts of deploy/model, written once
 * and run against the CDK synth (deploy/cdk/test/template-contract.test.ts) and the Serverless package
 * (deploy/serverless/test/package.test.ts). Each tool's own suite keeps only its tool's spelling (handler
 * names, assets, the framework's defaults it replaces, variants of the stack).
 *
 * Resources are found the way CloudFormation links them (an API's routes by `ApiId`, a function's role by
 * `Role`, a role's statements by inline `Policies` or by `AWS::IAM::Policy` attached to it), so the only
 * tool-specific input is which logical id is which.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  FanoutEnvironment,
  LambdaEnvironment,
  PublishAuthEnvironment,
} from '../../../src/core/config-env.ts';
import { TableActions, TableDesign } from '../../../src/stores/dynamodb/table-design.ts';
import {
  AuthorizerFunctionModel,
  ConnectionMethods,
  DefaultThrottle,
  FanoutAlarms,
  FanoutQueueModel,
  FunctionModel,
  type FunctionSpec,
  fanoutSendStatement,
  logsStatement,
  OutputNames,
  PongMock,
  PublishFunctionModel,
  PublishRoute,
  PublishTableActions,
  PublishThrottle,
  RouteSelectionExpression,
  Routes,
  WorkerFunctionModel,
  WorkerQueueActions,
  WorkerTableActions,
} from '../index.ts';

export interface Resource {
  Type: string;
  Properties?: Record<string, unknown>;
  DependsOn?: string | string[];
  DeletionPolicy?: string;
}

export interface CloudFormationTemplate {
  Resources: Record<string, Resource>;
  Outputs?: Record<string, { Value: unknown }>;
}

/** The functions of the stack, by their role in the model. */
export type FunctionRole = 'websocket' | 'publish' | 'worker' | 'authorizer';

export interface TemplateUnderTest {
  template: CloudFormationTemplate;
  /** The stage it was rendered for (a dev stage: the contract checks the dev table's deletion policy). */
  stage: string;
  /** The table's name in this tool's naming (deploy/model/naming.ts). */
  tableName: string;
  /** Logical ids: the tool names them, the contract checks them. */
  ids: {
    webSocketApi: string;
    publishApi: string;
    table: string;
    fanoutQueue: string;
    deadLetterQueue: string;
    /** The authorizer: CDK deploys it only with connectAuth `authorizer`, Serverless always (idle). */
    functions: Record<Exclude<FunctionRole, 'authorizer'>, string> & { authorizer?: string };
  };
  /** A list item as CloudFormation resolves it (a conditional statement: zero or one items). */
  resolveItem?: (item: unknown) => unknown[];
}

interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

const asList = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);
const json = (value: unknown) => JSON.stringify(value);
const mentions = (value: unknown, id: string) => json(value).includes(`"${id}"`);

const models: Record<FunctionRole, FunctionSpec> = {
  websocket: FunctionModel,
  publish: PublishFunctionModel,
  worker: WorkerFunctionModel,
  authorizer: AuthorizerFunctionModel,
};

/** Registers the contract's tests; `load` runs once before them (after the caller's own `beforeAll`). */
export function templateContract(
  tool: string,
  load: () => TemplateUnderTest | Promise<TemplateUnderTest>,
): void {
  describe(`template contract (${tool})`, () => {
    let subject: TemplateUnderTest;
    const resources = () => subject.template.Resources;
    const props = (id: string) => resources()[id]?.Properties ?? {};
    const ofType = (type: string) =>
      Object.entries(resources()).filter(([, resource]) => resource.Type === type);
    const ofApi = (type: string, apiId: string) =>
      ofType(type).filter(([, resource]) => json(resource.Properties?.ApiId) === json({ Ref: apiId }));
    const fnId = (role: FunctionRole) => subject.ids.functions[role] as string;
    /** The model functions this template deploys. */
    const deployed = () =>
      (Object.keys(models) as FunctionRole[]).filter((role) => subject.ids.functions[role] !== undefined);
    const variables = (role: FunctionRole) =>
      (props(fnId(role)).Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
    const resolve = (item: unknown) => (subject.resolveItem ? subject.resolveItem(item) : [item]);
    const documentStatements = (document: unknown): Statement[] =>
      ((document as { Statement: unknown[] }).Statement ?? []).flatMap(
        (item) => resolve(item) as Statement[],
      );
    /** Every statement of a role: its inline policies and the AWS::IAM::Policy resources attached to it. */
    const roleStatements = (roleId: string): Statement[] => [
      ...((props(roleId).Policies as { PolicyDocument: unknown }[] | undefined) ?? []).flatMap((policy) =>
        documentStatements(policy.PolicyDocument),
      ),
      ...ofType('AWS::IAM::Policy')
        .filter(([, policy]) => asList(policy.Properties?.Roles ?? []).some((role) => mentions(role, roleId)))
        .flatMap(([, policy]) => documentStatements(policy.Properties?.PolicyDocument)),
    ];
    const roleOf = (role: FunctionRole): string => {
      const ref = props(fnId(role)).Role as { 'Fn::GetAtt': [string, string] };
      return ref['Fn::GetAtt'][0];
    };
    const statementsOf = (role: FunctionRole) => roleStatements(roleOf(role));
    const about = (statements: Statement[], prefix: string) =>
      statements.filter((statement) => asList(statement.Action).some((action) => action.startsWith(prefix)));
    const allStatements = () => [
      ...ofType('AWS::IAM::Role').flatMap(([id]) => roleStatements(id)),
      ...ofType('AWS::IAM::ManagedPolicy').flatMap(([, policy]) =>
        documentStatements(policy.Properties?.PolicyDocument),
      ),
    ];

    beforeAll(async () => {
      subject = await load();
    });
    const ready = () => subject;

    describe('WebSocket API', () => {
      it('routes on the frame type, with exactly the model routes', () => {
        const { ids } = ready();
        expect(props(ids.webSocketApi)).toMatchObject({
          ProtocolType: 'WEBSOCKET',
          RouteSelectionExpression,
        });
        const keys = ofApi('AWS::ApiGatewayV2::Route', ids.webSocketApi).map(
          ([, r]) => r.Properties?.RouteKey,
        );
        expect(keys.sort()).toEqual(Routes.map((route) => route.key).sort());
      });

      it('answers on the two-way routes only (route responses)', () => {
        ready();
        const twoWay = ofType('AWS::ApiGatewayV2::Route').filter(
          ([, r]) => r.Properties?.RouteResponseSelectionExpression === '$default',
        );
        expect(twoWay.map(([, r]) => r.Properties?.RouteKey).sort()).toEqual(
          Routes.filter((route) => route.routeResponse)
            .map((route) => route.key)
            .sort(),
        );
        const responses = ofType('AWS::ApiGatewayV2::RouteResponse').map(([, r]) => r.Properties ?? {});
        expect(responses.map((r) => r.RouteResponseKey)).toEqual(responses.map(() => '$default'));
        expect(responses.map((r) => (r.RouteId as { Ref: string }).Ref).sort()).toEqual(
          twoWay.map(([id]) => id).sort(),
        );
      });

      it('sends the function routes to the WebSocket function (Lambda proxy), which only this API may invoke', () => {
        const { ids } = ready();
        const proxies = ofApi('AWS::ApiGatewayV2::Integration', ids.webSocketApi).filter(
          ([, r]) => r.Properties?.IntegrationType === 'AWS_PROXY',
        );
        expect(proxies).toHaveLength(1);
        const [proxyId, proxy] = proxies[0] as [string, Resource];
        expect(mentions(proxy.Properties?.IntegrationUri, fnId('websocket'))).toBe(true);
        const functionRoutes = Routes.filter((route) => route.target === 'function').map((r) => r.key);
        for (const [, route] of ofApi('AWS::ApiGatewayV2::Route', ids.webSocketApi)) {
          const key = String(route.Properties?.RouteKey);
          expect(mentions(route.Properties?.Target, proxyId)).toBe(functionRoutes.includes(key));
        }
        const permissions = ofType('AWS::Lambda::Permission').filter(([, p]) =>
          mentions(p.Properties?.FunctionName, fnId('websocket')),
        );
        expect(permissions).toHaveLength(functionRoutes.length);
        for (const [, permission] of permissions) {
          expect(permission.Properties?.Principal).toBe('apigateway.amazonaws.com');
          expect(mentions(permission.Properties?.SourceArn, ids.webSocketApi)).toBe(true);
        }
      });

      it('leaves $connect open at API Gateway by default: the function verifies the token', () => {
        const { ids } = ready();
        const connect = ofApi('AWS::ApiGatewayV2::Route', ids.webSocketApi).find(
          ([, r]) => r.Properties?.RouteKey === '$connect',
        );
        expect(connect?.[1].Properties?.AuthorizationType).toBe('NONE');
        expect(ofType('AWS::ApiGatewayV2::Authorizer')).toEqual([]);
      });

      it('answers ping with the model MOCK integration, without invoking Lambda', () => {
        ready();
        const mocks = ofType('AWS::ApiGatewayV2::Integration').filter(
          ([, r]) => r.Properties?.IntegrationType === 'MOCK',
        );
        expect(mocks).toHaveLength(1);
        const [mockId, mock] = mocks[0] as [string, Resource];
        expect(mock.Properties?.RequestTemplates).toEqual({ $default: PongMock.requestTemplate });
        const ping = ofType('AWS::ApiGatewayV2::Route').find(([, r]) => r.Properties?.RouteKey === 'ping');
        expect(mentions(ping?.[1].Properties?.Target, mockId)).toBe(true);
        const responses = ofType('AWS::ApiGatewayV2::IntegrationResponse').map(([, r]) => r.Properties);
        expect(responses).toEqual([
          expect.objectContaining({
            IntegrationId: { Ref: mockId },
            IntegrationResponseKey: '$default',
            ResponseTemplates: { $default: PongMock.responseTemplate },
          }),
        ]);
      });

      it('throttles the stage with the model throttle', () => {
        const { ids, stage } = ready();
        const stages = ofApi('AWS::ApiGatewayV2::Stage', ids.webSocketApi);
        expect(stages).toHaveLength(1);
        expect(stages[0]?.[1].Properties).toMatchObject({
          StageName: stage,
          DefaultRouteSettings: {
            ThrottlingBurstLimit: DefaultThrottle.burstLimit,
            ThrottlingRateLimit: DefaultThrottle.rateLimit,
          },
        });
      });

      it('outputs the WebSocket URL, the management endpoint, the table name and the publish URL', () => {
        const { template, ids, stage } = ready();
        const outputs = template.Outputs ?? {};
        expect(Object.keys(outputs)).toEqual(expect.arrayContaining(Object.values(OutputNames)));
        const url = json(outputs[OutputNames.webSocketUrl]?.Value);
        expect(url).toContain('wss://');
        expect(url).toContain(`/${stage}`);
        expect(json(outputs[OutputNames.managementEndpoint]?.Value)).toContain('https://');
        const publishUrl = json(outputs[OutputNames.publishUrl]?.Value);
        expect(publishUrl).toContain(`"${ids.publishApi}"`);
        expect(publishUrl).toContain(PublishRoute.path);
      });
    });

    describe('table', () => {
      it('is the store design: string keys, TTL, on demand, the design indexes, deleted with a dev stack', () => {
        const { ids, tableName } = ready();
        expect(ofType('AWS::DynamoDB::Table').map(([id]) => id)).toEqual([ids.table]);
        const table = resources()[ids.table] as Resource;
        expect(table.DeletionPolicy).toBe('Delete');
        expect(table.Properties).toMatchObject({
          TableName: tableName,
          BillingMode: TableDesign.billingMode,
          KeySchema: [
            { AttributeName: TableDesign.partitionKey, KeyType: 'HASH' },
            { AttributeName: TableDesign.sortKey, KeyType: 'RANGE' },
          ],
          AttributeDefinitions: expect.arrayContaining([
            { AttributeName: TableDesign.partitionKey, AttributeType: 'S' },
            { AttributeName: TableDesign.sortKey, AttributeType: 'S' },
          ]),
          TimeToLiveSpecification: { AttributeName: TableDesign.ttlAttribute, Enabled: true },
        });
        const indexes =
          (table.Properties?.GlobalSecondaryIndexes as { IndexName: string }[] | undefined) ?? [];
        expect(indexes.map((index) => index.IndexName)).toEqual(
          TableDesign.globalSecondaryIndexes.map((index) => index.name),
        );
      });
    });

    describe('functions', () => {
      it('run each model function: runtime, architecture, memory, timeout', () => {
        ready();
        expect(
          ofType('AWS::Lambda::Function')
            .map(([id]) => id)
            .sort(),
        ).toEqual(deployed().map(fnId).sort());
        for (const role of deployed()) {
          const model = models[role];
          expect(props(fnId(role)), role).toMatchObject({
            Runtime: model.runtime,
            Architectures: [model.architecture],
            MemorySize: model.memoryMb,
            Timeout: model.timeoutSeconds,
          });
        }
      });

      it('tell the table, the @connections endpoint and the fan-out queue under the variable names', () => {
        const { ids, stage, tableName } = ready();
        for (const role of ['websocket', 'publish', 'worker'] as const) {
          const env = variables(role);
          expect(json(env[LambdaEnvironment.tableName]), role).toMatch(
            new RegExp(`"${tableName}"|"${ids.table}"`),
          );
          const endpoint = json(env[LambdaEnvironment.managementEndpoint]);
          expect(endpoint).toContain('https://');
          expect(endpoint).toContain(`"${ids.webSocketApi}"`);
          expect(endpoint).toContain(`/${stage}`);
          expect(env[FanoutEnvironment.queueUrl], role).toEqual({ Ref: ids.fanoutQueue });
        }
        expect(variables('publish')[PublishAuthEnvironment.mode]).toBe('iam');
      });
    });

    describe('publish API (HTTP API)', () => {
      it('has exactly one route, POST /publish, authorized with AWS_IAM', () => {
        const { ids } = ready();
        expect(props(ids.publishApi).ProtocolType).toBe('HTTP');
        const routes = ofApi('AWS::ApiGatewayV2::Route', ids.publishApi);
        expect(routes.map(([, r]) => r.Properties?.RouteKey)).toEqual([PublishRoute.routeKey]);
        expect(routes[0]?.[1].Properties?.AuthorizationType).toBe('AWS_IAM');
      });

      it('integrates it with the publish function (payload 2.0), which only this API may invoke', () => {
        const { ids } = ready();
        const integrations = ofApi('AWS::ApiGatewayV2::Integration', ids.publishApi);
        expect(integrations).toHaveLength(1);
        const [integrationId, integration] = integrations[0] as [string, Resource];
        expect(integration.Properties).toMatchObject({
          IntegrationType: 'AWS_PROXY',
          PayloadFormatVersion: '2.0',
        });
        expect(mentions(integration.Properties?.IntegrationUri, fnId('publish'))).toBe(true);
        const [, route] = ofApi('AWS::ApiGatewayV2::Route', ids.publishApi)[0] as [string, Resource];
        expect(mentions(route.Properties?.Target, integrationId)).toBe(true);
        const permissions = ofType('AWS::Lambda::Permission').filter(([, p]) =>
          mentions(p.Properties?.FunctionName, fnId('publish')),
        );
        expect(permissions).toHaveLength(1);
        expect(mentions(permissions[0]?.[1].Properties?.SourceArn, ids.publishApi)).toBe(true);
        expect(json(permissions[0]?.[1].Properties?.SourceArn)).toContain(PublishRoute.path);
      });

      it('throttles its auto-deployed $default stage with the publish throttle', () => {
        const { ids } = ready();
        const stages = ofApi('AWS::ApiGatewayV2::Stage', ids.publishApi);
        expect(stages).toHaveLength(1);
        expect(stages[0]?.[1].Properties).toMatchObject({
          StageName: '$default',
          AutoDeploy: true,
          DefaultRouteSettings: {
            ThrottlingBurstLimit: PublishThrottle.burstLimit,
            ThrottlingRateLimit: PublishThrottle.rateLimit,
          },
        });
      });
    });

    describe('IAM', () => {
      it('grants nothing with a wildcard action or a * resource, and attaches no managed policy', () => {
        ready();
        const statements = allStatements();
        expect(statements.length).toBeGreaterThan(0);
        for (const statement of statements) {
          expect(statement.Effect).toBe('Allow');
          for (const action of asList(statement.Action)) expect(action).not.toMatch(/\*/);
          for (const resource of asList(statement.Resource)) expect(resource).not.toBe('*');
        }
        for (const [, role] of ofType('AWS::IAM::Role'))
          expect(role.Properties?.ManagedPolicyArns).toBeUndefined();
      });

      it('grants each function exactly its model table actions, on the table only', () => {
        const { ids } = ready();
        const grants: [FunctionRole, readonly string[]][] = [
          ['websocket', TableActions],
          ['publish', PublishTableActions],
          ['worker', WorkerTableActions],
        ];
        for (const [role, actions] of grants) {
          const table = about(statementsOf(role), 'dynamodb:');
          expect(table, role).toHaveLength(1);
          expect(asList(table[0]?.Action ?? []).sort()).toEqual([...actions].sort());
          expect(asList(table[0]?.Resource)).toEqual([{ 'Fn::GetAtt': [ids.table, 'Arn'] }]);
        }
        expect(about(allStatements(), 'dynamodb:')).toHaveLength(grants.length);
      });

      it('scopes ManageConnections to this API and stage: POST and DELETE for the WebSocket function, POST for the others', () => {
        const { ids, stage } = ready();
        const methods: [FunctionRole, readonly string[]][] = [
          ['websocket', ConnectionMethods],
          ['publish', ['POST']],
          ['worker', ['POST']],
        ];
        expect(about(allStatements(), 'execute-api:')).toHaveLength(methods.length);
        for (const [role, expected] of methods) {
          const connections = about(statementsOf(role), 'execute-api:');
          expect(connections, role).toHaveLength(1);
          expect(asList(connections[0]?.Action ?? [])).toEqual(['execute-api:ManageConnections']);
          const arns = asList(connections[0]?.Resource).map(json);
          expect(arns).toHaveLength(expected.length);
          for (const [index, method] of expected.entries()) {
            expect(arns[index]).toContain(`{"Ref":"${ids.webSocketApi}"}`);
            expect(arns[index]).toContain(`/${stage}/${method}/@connections/*`);
          }
        }
      });

      it('lets the publishing functions only send to the shard queue, and the worker consume it with exactly its actions', () => {
        const { ids } = ready();
        const queueArn = { 'Fn::GetAtt': [ids.fanoutQueue, 'Arn'] };
        for (const role of ['websocket', 'publish'] as const) {
          const sqs = about(statementsOf(role), 'sqs:');
          expect(sqs, role).toHaveLength(1);
          expect(asList(sqs[0]?.Action ?? [])).toEqual([...fanoutSendStatement('queue').actions]);
          expect(asList(sqs[0]?.Resource)).toEqual([queueArn]);
        }
        const worker = about(statementsOf('worker'), 'sqs:');
        expect(worker).toHaveLength(1);
        expect(asList(worker[0]?.Action ?? []).sort()).toEqual([...WorkerQueueActions].sort());
        expect(asList(worker[0]?.Resource)).toEqual([queueArn]);
        expect(about(allStatements(), 'sqs:')).toHaveLength(3);
      });

      it('lets each function write its own log group only', () => {
        ready();
        const logGroups = new Set<string>();
        for (const role of deployed()) {
          const logs = about(statementsOf(role), 'logs:');
          expect(logs, role).toHaveLength(1);
          expect(asList(logs[0]?.Action ?? [])).toEqual(logsStatement('x').actions);
          const [resource] = asList(logs[0]?.Resource) as [{ 'Fn::GetAtt': [string, string] }];
          const groupId = resource['Fn::GetAtt'][0];
          expect(resources()[groupId]?.Type).toBe('AWS::Logs::LogGroup');
          expect(resources()[groupId]?.Properties?.RetentionInDays).toBe(models[role].logRetentionDays);
          logGroups.add(groupId);
        }
        expect(logGroups.size).toBe(deployed().length);
        expect(about(allStatements(), 'logs:')).toHaveLength(deployed().length);
        // The authorizer (when deployed) verifies tokens only: its own logs, nothing else without a secret.
        if (deployed().includes('authorizer')) {
          expect(statementsOf('authorizer').map((statement) => statement.Sid)).toEqual([
            logsStatement('x').sid,
          ]);
        }
      });
    });

    describe('sharded fan-out', () => {
      it('has the shard queue, with a redrive policy to its DLQ and a visibility timeout of 6x the worker timeout', () => {
        const { ids } = ready();
        expect(
          ofType('AWS::SQS::Queue')
            .map(([id]) => id)
            .sort(),
        ).toEqual([ids.fanoutQueue, ids.deadLetterQueue].sort());
        const queue = props(ids.fanoutQueue);
        expect(queue.VisibilityTimeout).toBe(FanoutQueueModel.visibilityTimeoutSeconds);
        expect(FanoutQueueModel.visibilityTimeoutSeconds).toBe(6 * WorkerFunctionModel.timeoutSeconds);
        expect(queue.MessageRetentionPeriod).toBe(FanoutQueueModel.messageRetentionSeconds);
        expect(queue.RedrivePolicy).toEqual({
          deadLetterTargetArn: { 'Fn::GetAtt': [ids.deadLetterQueue, 'Arn'] },
          maxReceiveCount: FanoutQueueModel.maxReceiveCount,
        });
        expect(props(ids.deadLetterQueue).MessageRetentionPeriod).toBe(
          FanoutQueueModel.deadLetterRetentionSeconds,
        );
      });

      it('feeds the worker through an event source mapping with partial batch responses and a concurrency cap', () => {
        const { ids } = ready();
        const mappings = ofType('AWS::Lambda::EventSourceMapping');
        expect(mappings).toHaveLength(1);
        const mapping = mappings[0]?.[1].Properties ?? {};
        expect(mapping).toMatchObject({
          EventSourceArn: { 'Fn::GetAtt': [ids.fanoutQueue, 'Arn'] },
          BatchSize: FanoutQueueModel.batchSize,
          FunctionResponseTypes: [...FanoutQueueModel.functionResponseTypes],
          ScalingConfig: { MaximumConcurrency: FanoutQueueModel.maximumConcurrency },
        });
        expect(mentions(mapping.FunctionName, fnId('worker'))).toBe(true);
      });

      it('alarms on any message in the DLQ and on any worker error', () => {
        const { ids } = ready();
        const alarms = ofType('AWS::CloudWatch::Alarm').map(([, alarm]) => alarm.Properties ?? {});
        const { deadLetters, workerErrors } = FanoutAlarms;
        const matching = (model: typeof deadLetters | typeof workerErrors, dimension: string, id: string) =>
          alarms.filter(
            (alarm) =>
              alarm.Namespace === model.namespace &&
              alarm.MetricName === model.metricName &&
              alarm.Threshold === model.threshold &&
              alarm.ComparisonOperator === model.comparisonOperator &&
              json(alarm.Dimensions).includes(`"Name":"${dimension}"`) &&
              mentions(alarm.Dimensions, id),
          );
        expect(matching(deadLetters, 'QueueName', ids.deadLetterQueue)).toHaveLength(1);
        expect(matching(workerErrors, 'FunctionName', fnId('worker'))).toHaveLength(1);
      });
    });
  });
}
