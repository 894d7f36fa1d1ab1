/**
 * `serverless package` runs offline and its CloudFormation template holds what deploy/model says: the four
 * routes, the MOCK pong (deployed with the stage), the table from the store's design, and IAM that grants
 * exactly the model's actions on exactly this stack's resources.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LambdaEnvironment, TableActions, TableDesign } from '../../../src/stores/dynamodb/table-design.ts';
import { AuthVariableNames, DefaultThrottle, FunctionModel, PongMock } from '../../model/index.ts';
import { runServerless } from '../lib/serverless-cli.ts';

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
let resources: Record<string, Resource>;
let outputs: Record<string, { Value: unknown }>;

beforeAll(async () => {
  await runServerless(['package', '--stage', 'dev', '--package', packageDir]);
  const template = JSON.parse(
    readFileSync(join(packageDir, 'cloudformation-template-update-stack.json'), 'utf8'),
  );
  resources = template.Resources;
  outputs = template.Outputs;
});

afterAll(() => rmSync(packageDir, { recursive: true, force: true }));

const ofType = (type: string) => Object.entries(resources).filter(([, resource]) => resource.Type === type);
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
  return documents.flatMap((document) => document.Statement);
}

describe('serverless package (offline)', () => {
  it('routes on the frame type, with exactly $connect, $disconnect, $default and ping', () => {
    const [[, api]] = ofType('AWS::ApiGatewayV2::Api') as [[string, Resource]];
    expect(api.Properties).toMatchObject({
      ProtocolType: 'WEBSOCKET',
      RouteSelectionExpression: '$request.body.type',
    });
    const keys = ofType('AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties.RouteKey);
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
    const [[, stage]] = ofType('AWS::ApiGatewayV2::Stage') as [[string, Resource]];
    expect(stage.Properties.DeploymentId).toEqual({ Ref: deploymentId });
  });

  it('throttles the stage', () => {
    const [[, stage]] = ofType('AWS::ApiGatewayV2::Stage') as [[string, Resource]];
    expect(stage.Properties).toMatchObject({
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
      TableName: 'topicsocket-dev',
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

  it('runs the function on nodejs22.x/arm64 within 29 s, with the LambdaEnvironment variables', () => {
    const functions = ofType('AWS::Lambda::Function');
    expect(functions).toHaveLength(1);
    const fn = functions[0]![1].Properties;
    expect(fn).toMatchObject({
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      MemorySize: FunctionModel.memoryMb,
      Handler: 'handler-entry.handler',
    });
    expect(fn.Timeout).toBeLessThanOrEqual(29);
    const variables = (fn.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(variables[LambdaEnvironment.tableName]).toBe('topicsocket-dev');
    const endpoint = JSON.stringify(variables[LambdaEnvironment.managementEndpoint]);
    expect(endpoint).toContain('https://');
    expect(endpoint).toContain('{"Ref":"WebsocketsApi"}');
    expect(endpoint).toContain('"/dev"');
    // Auth settings come from the deployer's environment; none set here, so none deployed (auth required).
    for (const name of AuthVariableNames) expect(variables[name]).toBe('');
    expect(JSON.stringify(outputs.WebSocketUrl?.Value)).toContain('wss://');
    expect(outputs.TableName?.Value).toEqual({ Ref: 'TopicsocketTable' });
  });

  it('keeps logs for the model retention', () => {
    const logGroups = ofType('AWS::Logs::LogGroup');
    expect(logGroups).toHaveLength(1);
    expect(logGroups[0]![1].Properties.RetentionInDays).toBe(FunctionModel.logRetentionDays);
  });

  describe('IAM', () => {
    it('uses only the model role: not the framework default (ManageConnections on every API)', () => {
      expect(resources.IamRoleLambdaExecution).toBeUndefined();
      expect(ofType('AWS::IAM::Role').map(([id]) => id)).toEqual(['TopicsocketFunctionRole']);
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

    it('grants exactly the TableActions, on the table only', () => {
      const dynamo = allStatements().filter((s) => asList(s.Action).some((a) => a.startsWith('dynamodb:')));
      expect(dynamo).toHaveLength(1);
      expect(asList(dynamo[0]!.Action).sort()).toEqual([...TableActions].sort());
      expect(asList(dynamo[0]!.Resource)).toEqual([{ 'Fn::GetAtt': ['TopicsocketTable', 'Arn'] }]);
    });

    it('scopes ManageConnections to this API and stage, POST and DELETE only', () => {
      const connections = allStatements().filter((s) =>
        asList(s.Action).includes('execute-api:ManageConnections'),
      );
      expect(connections).toHaveLength(1);
      const arns = asList(connections[0]!.Resource).map((r) => JSON.stringify(r));
      expect(arns).toHaveLength(2);
      for (const [index, method] of ['POST', 'DELETE'].entries()) {
        expect(arns[index]).toContain('{"Ref":"WebsocketsApi"}');
        expect(arns[index]).toContain(`"/dev/${method}/@connections/*"`);
      }
    });

    it('writes logs to its own log group only', () => {
      const logs = allStatements().filter((s) => asList(s.Action).some((a) => a.startsWith('logs:')));
      expect(logs).toHaveLength(1);
      expect(logs[0]!.Resource).toEqual([{ 'Fn::GetAtt': ['WebsocketLogGroup', 'Arn'] }]);
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
    expect(printed.resources.Resources.TopicsocketTable.Properties.TableName).toBe('topicsocket-prod');
  });
});
