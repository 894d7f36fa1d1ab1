/**
 * `serverless package` runs offline and its CloudFormation template holds what deploy/model says: the four
 * routes, the MOCK pong (deployed with the stage), the table from the store's design, the HTTP API's
 * `POST /publish` with AWS_IAM, and IAM that grants exactly the model's actions on exactly this stack's
 * resources, per function.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LambdaEnvironment, TableActions, TableDesign } from '../../../src/stores/dynamodb/table-design.ts';
import {
  DefaultThrottle,
  FanoutQueueModel,
  FanoutQueueUrlVariable,
  FunctionModel,
  PlainAuthVariableNames,
  PongMock,
  PublishFunctionModel,
  PublishTableActions,
  PublishThrottle,
  WorkerFunctionModel,
  WorkerQueueActions,
  WorkerTableActions,
} from '../../model/index.ts';
import { runServerless } from '../lib/serverless-cli.ts';
import { type ConditionalTemplate, resolveItem } from './template-conditions.ts';

interface Resource {
  Type: string;
  Properties: Record<string, unknown>;
  DependsOn?: string[];
  DeletionPolicy?: string;
}
interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Sid?: string;
}

const packageDir = mkdtempSync(join(tmpdir(), 'topicsocket-sls-package-'));
let template: ConditionalTemplate & { Outputs: Record<string, { Value: unknown }> };
let resources: Record<string, Resource>;
let outputs: Record<string, { Value: unknown }>;

beforeAll(async () => {
  await runServerless(['package', '--stage', 'dev', '--package', packageDir]);
  template = JSON.parse(readFileSync(join(packageDir, 'cloudformation-template-update-stack.json'), 'utf8'));
  resources = (template as unknown as { Resources: Record<string, Resource> }).Resources;
  outputs = template.Outputs;
});

afterAll(() => rmSync(packageDir, { recursive: true, force: true }));

const ofType = (type: string) => Object.entries(resources).filter(([, resource]) => resource.Type === type);
/** Resources of a type that belong to one API (their ApiId is a Ref to it). */
const ofApi = (type: string, apiId: string) =>
  ofType(type).filter(([, resource]) => JSON.stringify(resource.Properties.ApiId) === `{"Ref":"${apiId}"}`);
/** The statements of one role's inline policies (conditional ones as CloudFormation resolves them). */
const statementsOf = (roleId: string): Statement[] =>
  (resources[roleId]!.Properties.Policies as { PolicyDocument: { Statement: Statement[] } }[]).flatMap(
    (policy) => policy.PolicyDocument.Statement.flatMap((item) => resolveItem(template, item) as Statement[]),
  );
const asList = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/** Every statement of every policy: AWS::IAM::Policy, managed policies and roles' inline policies. */
function allStatements(): Statement[] {
  const documents = [
    ...ofType('AWS::IAM::Policy').map(([, r]) => r.Properties.PolicyDocument),
    ...ofType('AWS::IAM::ManagedPolicy').map(([, r]) => r.Properties.PolicyDocument),
    ...ofType('AWS::IAM::Role').flatMap(([, r]) =>
      ((r.Properties.Policies as { PolicyDocument: unknown }[] | undefined) ?? []).map(
        (p) => p.PolicyDocument,
      ),
    ),
  ] as { Statement: Statement[] }[];
  return documents.flatMap((document) =>
    document.Statement.flatMap((item) => resolveItem(template, item) as Statement[]),
  );
}

describe('serverless package (offline)', () => {
  it('routes on the frame type, with exactly $connect, $disconnect, $default and ping', () => {
    expect(resources.WebsocketsApi!.Properties).toMatchObject({
      ProtocolType: 'WEBSOCKET',
      RouteSelectionExpression: '$request.body.type',
    });
    const keys = ofApi('AWS::ApiGatewayV2::Route', 'WebsocketsApi').map(([, r]) => r.Properties.RouteKey);
    expect(keys.sort()).toEqual(['$connect', '$default', '$disconnect', 'ping']);
  });

  it('returns the handler result on $default and the pong on ping (route responses)', () => {
    const twoWay = ofType('AWS::ApiGatewayV2::Route').filter(
      ([, r]) => r.Properties.RouteResponseSelectionExpression === '$default',
    );
    expect(twoWay.map(([, r]) => r.Properties.RouteKey).sort()).toEqual(['$default', 'ping']);
    const responses = ofType('AWS::ApiGatewayV2::RouteResponse').map(([, r]) => r.Properties);
    expect(responses.map((r) => (r.RouteId as { Ref: string }).Ref).sort()).toEqual(
      twoWay.map(([id]) => id).sort(),
    );
  });

  it('answers ping through a MOCK integration whose templates come from the model', () => {
    const mocks = ofType('AWS::ApiGatewayV2::Integration').filter(
      ([, r]) => r.Properties.IntegrationType === 'MOCK',
    );
    expect(mocks).toHaveLength(1);
    const [mockId, mock] = mocks[0]!;
    expect(mock.Properties.RequestTemplates).toEqual({ $default: PongMock.requestTemplate });
    const [[, response]] = ofType('AWS::ApiGatewayV2::IntegrationResponse') as [[string, Resource]];
    expect(response.Properties).toMatchObject({
      IntegrationId: { Ref: mockId },
      IntegrationResponseKey: '$default',
      ResponseTemplates: { $default: PongMock.responseTemplate },
    });
  });

  it('takes the ping resources into the stage deployment (new deployment when they change)', () => {
    const [[deploymentId, deployment]] = ofType('AWS::ApiGatewayV2::Deployment') as [[string, Resource]];
    const pingIds = Object.keys(resources).filter((id) => id.startsWith('PingMock'));
    expect(pingIds).toHaveLength(4);
    expect(deployment.DependsOn).toEqual(expect.arrayContaining(pingIds));
    expect(resources.WebsocketsDeploymentStage!.Properties.DeploymentId).toEqual({ Ref: deploymentId });
  });

  it('throttles the stage', () => {
    expect(resources.WebsocketsDeploymentStage!.Properties).toMatchObject({
      StageName: 'dev',
      DefaultRouteSettings: {
        ThrottlingBurstLimit: DefaultThrottle.burstLimit,
        ThrottlingRateLimit: DefaultThrottle.rateLimit,
      },
    });
  });

  it('creates the table from the store design: string keys, TTL, on demand, deleted with a dev stack', () => {
    const [[, table]] = ofType('AWS::DynamoDB::Table') as [[string, Resource]];
    expect(table.DeletionPolicy).toBe('Delete');
    expect(table.Properties).toMatchObject({
      TableName: 'topicsocket-sls-dev',
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: TableDesign.partitionKey, KeyType: 'HASH' },
        { AttributeName: TableDesign.sortKey, KeyType: 'RANGE' },
      ],
      TimeToLiveSpecification: { AttributeName: TableDesign.ttlAttribute, Enabled: true },
    });
    const indexes = (table.Properties.GlobalSecondaryIndexes as { IndexName: string }[] | undefined) ?? [];
    expect(indexes.map((i) => i.IndexName)).toEqual(TableDesign.globalSecondaryIndexes.map((i) => i.name));
  });

  it('runs the function on nodejs24.x/arm64 within 29 s, with the LambdaEnvironment variables', () => {
    expect(
      ofType('AWS::Lambda::Function')
        .map(([id]) => id)
        .sort(),
    ).toEqual([
      'ConnectAuthorizerLambdaFunction',
      'FanoutWorkerLambdaFunction',
      'PublishLambdaFunction',
      'WebsocketLambdaFunction',
    ]);
    const fn = resources.WebsocketLambdaFunction!.Properties;
    expect(fn).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      MemorySize: FunctionModel.memoryMb,
      Handler: 'handler-entry.handler',
    });
    expect(fn.Timeout).toBeLessThanOrEqual(29);
    const variables = (fn.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(variables[LambdaEnvironment.tableName]).toBe('topicsocket-sls-dev');
    const endpoint = JSON.stringify(variables[LambdaEnvironment.managementEndpoint]);
    expect(endpoint).toContain('https://');
    expect(endpoint).toContain('{"Ref":"WebsocketsApi"}');
    expect(endpoint).toContain('"/dev"');
    // Auth settings come from the deployer's environment; none set here, so none deployed (auth required).
    for (const name of PlainAuthVariableNames) expect(variables[name]).toBe('');
    expect(JSON.stringify(outputs.WebSocketUrl?.Value)).toContain('wss://');
    expect(outputs.TableName?.Value).toEqual({ Ref: 'TopicsocketTable' });
  });

  it('keeps logs for the model retention, one log group per function and per API (access logs)', () => {
    const logGroups = ofType('AWS::Logs::LogGroup');
    expect(logGroups.map(([id]) => id).sort()).toEqual([
      'ConnectAuthorizerLogGroup',
      'FanoutWorkerLogGroup',
      'HttpApiAccessLogGroup',
      'PublishLogGroup',
      'WebsocketLogGroup',
      'WebsocketsAccessLogGroup',
    ]);
    for (const [, group] of logGroups) {
      expect(group.Properties.RetentionInDays).toBe(FunctionModel.logRetentionDays);
    }
  });

  it('by default puts no authorizer on $connect (the function verifies tokens) and lets no API invoke the idle authorizer', () => {
    expect(ofType('AWS::ApiGatewayV2::Authorizer')).toEqual([]);
    expect(resources.SconnectWebsocketsRoute!.Properties.AuthorizationType).toBe('NONE');
    const invokers = ofType('AWS::Lambda::Permission').map(([, p]) =>
      JSON.stringify(p.Properties.FunctionName),
    );
    expect(invokers.some((name) => name.includes('ConnectAuthorizer'))).toBe(false);
    expect(statementsOf('TopicsocketConnectAuthorizerRole').map((s) => s.Sid)).toEqual(['TopicsocketLogs']);
  });

  it('scopes every API Gateway invoke permission to one route of its own API (the framework leaves them open)', () => {
    const permissions = ofType('AWS::Lambda::Permission');
    const sources = permissions.map(([, permission]) => {
      expect(permission.Properties.Principal).toBe('apigateway.amazonaws.com');
      const parts = (permission.Properties.SourceArn as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
      return JSON.stringify(parts.slice(-2));
    });
    expect(sources.sort()).toEqual(
      [
        '[{"Ref":"HttpApi"},"/*/POST/publish"]',
        '[{"Ref":"WebsocketsApi"},"/*/$connect"]',
        '[{"Ref":"WebsocketsApi"},"/*/$default"]',
        '[{"Ref":"WebsocketsApi"},"/*/$disconnect"]',
      ].sort(),
    );
  });

  describe('publish API (HTTP API)', () => {
    it('has exactly one route, POST /publish, authorized with AWS_IAM', () => {
      expect(resources.HttpApi!.Properties.ProtocolType).toBe('HTTP');
      const routes = ofApi('AWS::ApiGatewayV2::Route', 'HttpApi');
      expect(routes.map(([, r]) => r.Properties.RouteKey)).toEqual(['POST /publish']);
      expect(routes[0]![1].Properties.AuthorizationType).toBe('AWS_IAM');
    });

    it('integrates the route with the publish function (payload 2.0), invocable from this HTTP API only', () => {
      const integrations = ofApi('AWS::ApiGatewayV2::Integration', 'HttpApi');
      expect(integrations).toHaveLength(1);
      const [integrationId, integration] = integrations[0]!;
      expect(integration.Properties).toMatchObject({
        IntegrationType: 'AWS_PROXY',
        PayloadFormatVersion: '2.0',
        IntegrationUri: { 'Fn::GetAtt': ['PublishLambdaFunction', 'Arn'] },
      });
      const [, route] = ofApi('AWS::ApiGatewayV2::Route', 'HttpApi')[0]!;
      expect(JSON.stringify(route.Properties.Target)).toContain(`{"Ref":"${integrationId}"}`);
      const permissions = ofType('AWS::Lambda::Permission').filter(([, p]) =>
        JSON.stringify(p.Properties.FunctionName).includes('"PublishLambdaFunction"'),
      );
      expect(permissions).toHaveLength(1);
      expect(JSON.stringify(permissions[0]![1].Properties.SourceArn)).toContain('{"Ref":"HttpApi"}');
    });

    it('throttles its auto-deployed stage and outputs the publish URL', () => {
      expect(resources.HttpApiStage!.Properties).toMatchObject({
        StageName: '$default',
        AutoDeploy: true,
        DefaultRouteSettings: {
          ThrottlingBurstLimit: PublishThrottle.burstLimit,
          ThrottlingRateLimit: PublishThrottle.rateLimit,
        },
      });
      const url = JSON.stringify(outputs.PublishUrl?.Value);
      expect(url).toContain('https://');
      expect(url).toContain('{"Ref":"HttpApi"}');
      expect(url).toContain('"/publish"');
    });

    it('runs the publish entry on nodejs24.x/arm64 within 29 s, told to require IAM, with its bundle packaged', () => {
      const fn = resources.PublishLambdaFunction!.Properties;
      expect(fn).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        MemorySize: PublishFunctionModel.memoryMb,
        Handler: 'publish-entry.handler',
        Role: { 'Fn::GetAtt': ['TopicsocketPublishRole', 'Arn'] },
      });
      expect(fn.Timeout).toBeLessThanOrEqual(29);
      const variables = (fn.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(variables.TOPICSOCKET_PUBLISH_AUTH).toBe('iam');
      expect(variables[LambdaEnvironment.tableName]).toBe('topicsocket-sls-dev');
      expect(JSON.stringify(variables[LambdaEnvironment.managementEndpoint])).toContain(
        '{"Ref":"WebsocketsApi"}',
      );
      // Zip entry names are stored uncompressed: both bundles are in the artifact.
      const zip = readFileSync(join(packageDir, 'topicsocket.zip')).toString('latin1');
      expect(zip).toContain('publish-entry.cjs');
      expect(zip).toContain('handler-entry.cjs');
    });
  });

  describe('IAM', () => {
    it('uses only the model role: not the framework default (ManageConnections on every API)', () => {
      expect(resources.IamRoleLambdaExecution).toBeUndefined();
      expect(ofType('AWS::IAM::Role').map(([id]) => id)).toEqual([
        'TopicsocketFunctionRole',
        'TopicsocketPublishRole',
        'TopicsocketConnectAuthorizerRole',
        'TopicsocketWorkerRole',
      ]);
      expect(resources.WebsocketLambdaFunction!.Properties.Role).toEqual({
        'Fn::GetAtt': ['TopicsocketFunctionRole', 'Arn'],
      });
      for (const [, role] of ofType('AWS::IAM::Role'))
        expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    });

    it('no statement anywhere has a * resource or a wildcard action', () => {
      const statements = allStatements();
      expect(statements.length).toBeGreaterThan(0);
      for (const statement of statements) {
        expect(statement.Effect).toBe('Allow');
        for (const action of asList(statement.Action)) expect(action).not.toMatch(/\*/);
        for (const resource of asList(statement.Resource)) {
          expect(resource).not.toBe('*');
          expect(JSON.stringify(resource)).not.toMatch(/execute-api:\*|:\*:\*/);
        }
      }
    });

    it('grants exactly the TableActions to the WebSocket function and the publish subset to publish, on the table only', () => {
      const grants: [string, readonly string[]][] = [
        ['TopicsocketFunctionRole', TableActions],
        ['TopicsocketPublishRole', PublishTableActions],
        ['TopicsocketWorkerRole', WorkerTableActions],
      ];
      for (const [roleId, actions] of grants) {
        const dynamo = statementsOf(roleId).filter((s) =>
          asList(s.Action).some((a) => a.startsWith('dynamodb:')),
        );
        expect(dynamo).toHaveLength(1);
        expect(asList(dynamo[0]!.Action).sort()).toEqual([...actions].sort());
        expect(asList(dynamo[0]!.Resource)).toEqual([{ 'Fn::GetAtt': ['TopicsocketTable', 'Arn'] }]);
      }
      expect(
        allStatements().filter((s) => asList(s.Action).some((a) => a.startsWith('dynamodb:'))),
      ).toHaveLength(3);
    });

    it('scopes ManageConnections to this API and stage: POST and DELETE for the WebSocket function, POST for publish', () => {
      expect(
        allStatements().filter((s) => asList(s.Action).includes('execute-api:ManageConnections')),
      ).toHaveLength(3);
      const methods: [string, string[]][] = [
        ['TopicsocketFunctionRole', ['POST', 'DELETE', 'GET']],
        ['TopicsocketPublishRole', ['POST']],
        ['TopicsocketWorkerRole', ['POST']],
      ];
      for (const [roleId, expected] of methods) {
        const connections = statementsOf(roleId).filter((s) =>
          asList(s.Action).includes('execute-api:ManageConnections'),
        );
        expect(connections).toHaveLength(1);
        const arns = asList(connections[0]!.Resource).map((r) => JSON.stringify(r));
        expect(arns).toHaveLength(expected.length);
        for (const [index, method] of expected.entries()) {
          expect(arns[index]).toContain('{"Ref":"WebsocketsApi"}');
          expect(arns[index]).toContain(`"/dev/${method}/@connections/*"`);
        }
      }
    });

    it('lets each function write its own log group only', () => {
      expect(allStatements().filter((s) => asList(s.Action).some((a) => a.startsWith('logs:')))).toHaveLength(
        4,
      );
      const own: [string, string][] = [
        ['TopicsocketFunctionRole', 'WebsocketLogGroup'],
        ['TopicsocketPublishRole', 'PublishLogGroup'],
        ['TopicsocketConnectAuthorizerRole', 'ConnectAuthorizerLogGroup'],
        ['TopicsocketWorkerRole', 'FanoutWorkerLogGroup'],
      ];
      for (const [roleId, logGroupId] of own) {
        const logs = statementsOf(roleId).filter((s) => asList(s.Action).some((a) => a.startsWith('logs:')));
        expect(logs).toHaveLength(1);
        expect(logs[0]!.Resource).toEqual([{ 'Fn::GetAtt': [logGroupId, 'Arn'] }]);
      }
    });
  });

  describe('sharded fan-out', () => {
    const queueArn = { 'Fn::GetAtt': ['TopicsocketFanoutQueue', 'Arn'] };

    it('has the shard queue with a redrive policy to its DLQ and a visibility timeout of 6x the worker timeout', () => {
      const queue = resources.TopicsocketFanoutQueue!.Properties;
      expect(queue.VisibilityTimeout).toBe(6 * WorkerFunctionModel.timeoutSeconds);
      expect(queue.RedrivePolicy).toEqual({
        deadLetterTargetArn: { 'Fn::GetAtt': ['TopicsocketFanoutDeadLetterQueue', 'Arn'] },
        maxReceiveCount: FanoutQueueModel.maxReceiveCount,
      });
      expect(resources.TopicsocketFanoutDeadLetterQueue!.Properties.MessageRetentionPeriod).toBe(1_209_600);
    });

    it('feeds the worker through an event source mapping with partial batch responses and a concurrency cap', () => {
      const mappings = ofType('AWS::Lambda::EventSourceMapping');
      expect(mappings).toHaveLength(1);
      expect(mappings[0]?.[1].Properties).toMatchObject({
        EventSourceArn: queueArn,
        FunctionName: { 'Fn::GetAtt': ['FanoutWorkerLambdaFunction', 'Arn'] },
        BatchSize: 1,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        ScalingConfig: { MaximumConcurrency: FanoutQueueModel.maximumConcurrency },
      });
      const worker = resources.FanoutWorkerLambdaFunction!.Properties;
      expect(worker).toMatchObject({
        Handler: 'worker-entry.handler',
        Timeout: WorkerFunctionModel.timeoutSeconds,
      });
      const variables = (worker.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(variables[FanoutQueueUrlVariable]).toEqual({ Ref: 'TopicsocketFanoutQueue' });
      for (const name of PlainAuthVariableNames) expect(variables[name]).toBe('');
    });

    it('alarms on any message in the DLQ and on any worker error', () => {
      // Beside the stack's own alarms (deploy/model/alarms.ts, asserted in hardening.test.ts).
      const alarms = ofType('AWS::CloudWatch::Alarm').map(([, alarm]) => alarm.Properties);
      expect(alarms).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            MetricName: 'ApproximateNumberOfMessagesVisible',
            Threshold: 0,
            ComparisonOperator: 'GreaterThanThreshold',
            Dimensions: [
              {
                Name: 'QueueName',
                Value: { 'Fn::GetAtt': ['TopicsocketFanoutDeadLetterQueue', 'QueueName'] },
              },
            ],
          }),
          expect.objectContaining({
            Namespace: 'AWS/Lambda',
            MetricName: 'Errors',
            Dimensions: [{ Name: 'FunctionName', Value: { Ref: 'FanoutWorkerLambdaFunction' } }],
          }),
        ]),
      );
    });

    it('lets the publishing functions only send to the queue; the worker consumes it, with exactly its actions', () => {
      for (const roleId of ['TopicsocketFunctionRole', 'TopicsocketPublishRole']) {
        const sqs = statementsOf(roleId).filter((s) => asList(s.Action).some((a) => a.startsWith('sqs:')));
        expect(sqs).toEqual([expect.objectContaining({ Action: ['sqs:SendMessage'], Resource: [queueArn] })]);
      }
      const worker = statementsOf('TopicsocketWorkerRole').filter((s) =>
        asList(s.Action).some((a) => a.startsWith('sqs:')),
      );
      expect(worker).toHaveLength(1);
      expect(asList(worker[0]!.Action).sort()).toEqual([...WorkerQueueActions].sort());
      expect(worker[0]!.Resource).toEqual([queueArn]);
      expect(
        statementsOf('TopicsocketConnectAuthorizerRole').some((s) => JSON.stringify(s).includes('sqs:')),
      ).toBe(false);
    });
  });
});

describe('serverless print', () => {
  it('retains the prod table and takes a custom-domain management endpoint from --param', async () => {
    const printed = JSON.parse(
      await runServerless([
        'print',
        '--stage',
        'prod',
        '--param',
        'managementEndpoint=https://ws.example.com',
        '--format',
        'json',
      ]),
    );
    expect(printed.provider.environment[LambdaEnvironment.managementEndpoint]).toBe('https://ws.example.com');
    expect(printed.resources.Resources.TopicsocketTable.DeletionPolicy).toBe('Retain');
    expect(printed.resources.Resources.TopicsocketTable.Properties.TableName).toBe('topicsocket-sls-prod');
  });

  it('leaves POST /publish to the function (API keys, bearer JWTs) with TOPICSOCKET_PUBLISH_AUTH=keys, and refuses typos', async () => {
    const printed = JSON.parse(
      await runServerless(['print', '--stage', 'dev', '--format', 'json'], {
        TOPICSOCKET_PUBLISH_AUTH: 'keys',
      }),
    );
    expect(printed.resources.extensions.HttpApiRoutePostPublish.Properties.AuthorizationType).toBe('NONE');
    expect(printed.functions.publish.environment.TOPICSOCKET_PUBLISH_AUTH).toBe('keys');
    await expect(
      runServerless(['print', '--stage', 'dev', '--format', 'json'], { TOPICSOCKET_PUBLISH_AUTH: 'none' }),
    ).rejects.toThrow(/HttpApiRoutePostPublish.Properties.AuthorizationType/);
  });
});

describe('serverless package with TOPICSOCKET_CONNECT_AUTH=authorizer', () => {
  const authorizedDir = mkdtempSync(join(tmpdir(), 'topicsocket-sls-authorizer-'));
  let authorized: Record<string, Resource>;
  beforeAll(async () => {
    await runServerless(['package', '--stage', 'dev', '--package', authorizedDir], {
      TOPICSOCKET_CONNECT_AUTH: 'authorizer',
      TOPICSOCKET_JWKS_URL: 'https://idp.example.com/.well-known/jwks.json',
      TOPICSOCKET_JWT_ISSUER: 'https://idp.example.com',
    });
    authorized = JSON.parse(
      readFileSync(join(authorizedDir, 'cloudformation-template-update-stack.json'), 'utf8'),
    ).Resources;
  });
  afterAll(() => rmSync(authorizedDir, { recursive: true, force: true }));

  it('puts a REQUEST authorizer without identity sources on $connect, and only there', () => {
    const authorizers = Object.entries(authorized).filter(
      ([, r]) => r.Type === 'AWS::ApiGatewayV2::Authorizer',
    );
    expect(authorizers).toHaveLength(1);
    const [authorizerId, authorizer] = authorizers[0]!;
    // Identity sources are ANDed: any one would refuse tokens sent another way (subprotocol, header, query).
    expect(authorizer.Properties).toMatchObject({
      ApiId: { Ref: 'WebsocketsApi' },
      AuthorizerType: 'REQUEST',
      IdentitySource: [],
    });
    expect(JSON.stringify(authorizer.Properties.AuthorizerUri)).toContain(
      '"ConnectAuthorizerLambdaFunction"',
    );
    for (const [id, route] of Object.entries(authorized).filter(
      ([, r]) => r.Type === 'AWS::ApiGatewayV2::Route',
    )) {
      if (id === 'SconnectWebsocketsRoute') {
        expect(route.Properties).toMatchObject({
          AuthorizationType: 'CUSTOM',
          AuthorizerId: { Ref: authorizerId },
        });
      } else {
        expect(route.Properties.AuthorizerId).toBeUndefined();
      }
    }
  });

  it('redeploys the stage when the mode changes, and lets only this API invoke the authorizer', () => {
    const deployment = Object.keys(authorized).find(
      (id) => authorized[id]!.Type === 'AWS::ApiGatewayV2::Deployment',
    );
    const plain = Object.keys(resources).find(
      (id) => resources[id]!.Type === 'AWS::ApiGatewayV2::Deployment',
    );
    expect(deployment).toBeDefined();
    expect(deployment).not.toBe(plain);
    const permission = authorized.ConnectAuthorizerLambdaPermissionWebsockets!.Properties;
    expect(JSON.stringify(permission.FunctionName)).toContain('"ConnectAuthorizerLambdaFunction"');
    expect(JSON.stringify(permission.SourceArn)).toContain('{"Ref":"WebsocketsApi"},"/authorizers/*"]');
  });

  it('runs the authorizer entry on nodejs24.x/arm64 with the key source, without the API keys', () => {
    const fn = authorized.ConnectAuthorizerLambdaFunction!.Properties;
    expect(fn).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'authorizer-entry.handler',
      Role: { 'Fn::GetAtt': ['TopicsocketConnectAuthorizerRole', 'Arn'] },
    });
    const variables = (fn.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(variables.TOPICSOCKET_JWKS_URL).toBe('https://idp.example.com/.well-known/jwks.json');
    expect(variables.TOPICSOCKET_API_KEYS).toBe('');
    const zip = readFileSync(join(authorizedDir, 'topicsocket.zip')).toString('latin1');
    expect(zip).toContain('authorizer-entry.cjs');
  });
});
