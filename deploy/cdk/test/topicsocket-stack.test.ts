/**
 * The synthesized CloudFormation template holds what deploy/model says, in CDK's spelling: the four
 * routes, the MOCK pong, the table from the store's design, and IAM that grants exactly the model's actions
 * on exactly this stack's resources.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Annotations, Match, type Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LambdaEnvironment, TableActions, TableDesign } from '../../../src/stores/dynamodb/table-design.ts';
import { AuthVariableNames, authSettings, PongMock, Routes, type StackModel } from '../../model/index.ts';
import type { TopicsocketStack } from '../lib/topicsocket-stack.ts';
import { removeSynthOutputs, synthesize, TestAccount, TestRegion } from './synth-fixture.ts';

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown>; DependsOn?: string[] }>;

let template: Template;
let model: StackModel;
let stack: TopicsocketStack;
let outdir: string;
let resources: Resources;

beforeAll(() => {
  ({ template, model, stack, outdir } = synthesize({ stage: 'dev' }));
  resources = template.toJSON().Resources as Resources;
});

afterAll(removeSynthOutputs);

function ofType(type: string): [string, Record<string, unknown>][] {
  return Object.entries(resources)
    .filter(([, resource]) => resource.Type === type)
    .map(([id, resource]) => [id, resource.Properties ?? {}]);
}

function logicalId(type: string): string {
  const matches = ofType(type);
  expect(matches).toHaveLength(1);
  return matches[0]![0];
}

interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

function allStatements(): Statement[] {
  return ofType('AWS::IAM::Policy').flatMap(
    ([, props]) => (props.PolicyDocument as { Statement: Statement[] }).Statement,
  );
}

const asList = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

describe('WebSocket API', () => {
  it('routes on the frame type and has exactly the model routes', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      ProtocolType: 'WEBSOCKET',
      RouteSelectionExpression: '$request.body.type',
    });
    const keys = ofType('AWS::ApiGatewayV2::Route').map(([, props]) => props.RouteKey);
    expect(keys.sort()).toEqual(['$connect', '$default', '$disconnect', 'ping']);
    expect(Routes.map((route) => route.key).sort()).toEqual(keys);
  });

  it('sends the handler result back on $default (route response) and nowhere else but ping', () => {
    const twoWay = ofType('AWS::ApiGatewayV2::Route')
      .filter(([, props]) => props.RouteResponseSelectionExpression === '$default')
      .map(([id, props]) => ({ id, key: props.RouteKey }));
    expect(twoWay.map((route) => route.key).sort()).toEqual(['$default', 'ping']);
    const responses = ofType('AWS::ApiGatewayV2::RouteResponse');
    expect(responses).toHaveLength(2);
    for (const [, props] of responses) {
      expect(props.RouteResponseKey).toBe('$default');
      expect(twoWay.map((route) => route.id)).toContain((props.RouteId as { Ref: string }).Ref);
    }
  });

  it('sends $connect, $disconnect and $default to the one function through a Lambda proxy integration', () => {
    const functionId = logicalId('AWS::Lambda::Function');
    const proxies = ofType('AWS::ApiGatewayV2::Integration').filter(
      ([, p]) => p.IntegrationType === 'AWS_PROXY',
    );
    expect(proxies).toHaveLength(1);
    expect(JSON.stringify(proxies[0]![1].IntegrationUri)).toContain(functionId);
    for (const key of ['$connect', '$disconnect', '$default']) {
      template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
        RouteKey: key,
        Target: { 'Fn::Join': ['', ['integrations/', { Ref: proxies[0]![0] }]] },
      });
    }
    // API Gateway may invoke the function, for these routes of this API only.
    const permissions = ofType('AWS::Lambda::Permission');
    expect(permissions).toHaveLength(3);
    for (const [, props] of permissions) {
      expect(props.Principal).toBe('apigateway.amazonaws.com');
      expect(JSON.stringify(props.SourceArn)).toContain(logicalId('AWS::ApiGatewayV2::Api'));
    }
  });

  it('answers ping with a MOCK integration that echoes the id, without invoking Lambda', () => {
    const mocks = ofType('AWS::ApiGatewayV2::Integration').filter(([, p]) => p.IntegrationType === 'MOCK');
    expect(mocks).toHaveLength(1);
    const [mockId, mock] = mocks[0]!;
    expect(mock.TemplateSelectionExpression).toBe('\\$default');
    expect(mock.RequestTemplates).toEqual({ $default: PongMock.requestTemplate });
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: 'ping',
      Target: { 'Fn::Join': ['', ['integrations/', { Ref: mockId }]] },
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::IntegrationResponse', {
      IntegrationId: { Ref: mockId },
      IntegrationResponseKey: '$default',
      ResponseTemplates: { $default: PongMock.responseTemplate },
    });
    expect(PongMock.requestTemplate).toContain("$input.json('$.id')");
    expect(PongMock.responseTemplate).toContain('{"type":"pong"');
  });

  it('throttles the auto-deployed stage', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: 'dev',
      AutoDeploy: true,
      DefaultRouteSettings: {
        ThrottlingBurstLimit: model.throttle.burstLimit,
        ThrottlingRateLimit: model.throttle.rateLimit,
      },
    });
    expect(model.throttle.rateLimit).toBeLessThan(10_000);
  });

  it('outputs the WebSocket URL, the management endpoint and the table name', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(Object.keys(outputs)).toEqual(
      expect.arrayContaining(['WebSocketUrl', 'ManagementEndpoint', 'TableName']),
    );
    const url = JSON.stringify(outputs.WebSocketUrl!.Value);
    expect(url).toContain('wss://');
    expect(url).toContain('/dev');
    expect(JSON.stringify(outputs.ManagementEndpoint!.Value)).toContain('https://');
  });
});

describe('DynamoDB table', () => {
  it('is the store design: string keys, TTL, on demand', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      TableName: 'topicsocket-dev',
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: TableDesign.partitionKey, KeyType: 'HASH' },
        { AttributeName: TableDesign.sortKey, KeyType: 'RANGE' },
      ],
      AttributeDefinitions: Match.arrayWith([
        { AttributeName: TableDesign.partitionKey, AttributeType: 'S' },
        { AttributeName: TableDesign.sortKey, AttributeType: 'S' },
      ]),
      TimeToLiveSpecification: { AttributeName: TableDesign.ttlAttribute, Enabled: true },
    });
  });

  it('has exactly the design indexes', () => {
    const [, table] = ofType('AWS::DynamoDB::Table')[0]!;
    const indexes = (table.GlobalSecondaryIndexes as { IndexName: string }[] | undefined) ?? [];
    expect(indexes.map((index) => index.IndexName)).toEqual(
      TableDesign.globalSecondaryIndexes.map((i) => i.name),
    );
  });

  it('renders indexes with their keys, and grants the table actions on them (when the design has any)', () => {
    const indexed = synthesize({
      stage: 'dev',
      indexes: [{ name: 'byConnection', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' }],
      skipBundling: true,
    }).template;
    indexed.hasResourceProperties('AWS::DynamoDB::Table', {
      GlobalSecondaryIndexes: [
        {
          IndexName: 'byConnection',
          KeySchema: [
            { AttributeName: 'gsi1pk', KeyType: 'HASH' },
            { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'KEYS_ONLY' },
        },
      ],
    });
    const policies = Object.values(indexed.findResources('AWS::IAM::Policy'));
    const tableStatement = policies
      .flatMap((p) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement)
      .find((s) => s.Sid === 'TopicsocketTable')!;
    expect(JSON.stringify(tableStatement.Resource)).toContain('/index/*');
    expect(asList(tableStatement.Resource)).toHaveLength(2);
  });

  it('is deleted with a dev stack but retained with prod', () => {
    expect(template.toJSON().Resources[logicalId('AWS::DynamoDB::Table')].DeletionPolicy).toBe('Delete');
    const prod = synthesize({ stage: 'prod', skipBundling: true }).template;
    prod.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });
});

describe('Lambda function', () => {
  it('runs nodejs22.x on arm64 within the integration timeout, with a locally bundled asset', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      MemorySize: model.function.memoryMb,
      Timeout: Match.anyValue(),
    });
    const [, fn] = ofType('AWS::Lambda::Function')[0]!;
    expect(fn.Timeout).toBeLessThanOrEqual(29);
    expect(JSON.stringify(fn.Code)).toContain(`-${TestAccount}-${TestRegion}`);
  });

  it('ships one esbuild bundle of the real handler, AWS SDK v3 included, with its source map', () => {
    const [, fn] = ofType('AWS::Lambda::Function')[0]!;
    const hash = ((fn.Code as { S3Key: string }).S3Key ?? '').replace(/\.zip$/, '');
    const bundle = readFileSync(join(outdir, `asset.${hash}`, 'index.js'), 'utf8');
    expect(bundle.length).toBeGreaterThan(100_000);
    // Only the optional CRT signer stays a (guarded) runtime require; every client is inside the bundle.
    expect(bundle).not.toMatch(/require\(["']@aws-sdk\/(client|lib)-/);
    expect(bundle).toContain('PostToConnectionCommand');
    expect(bundle).toContain('//# sourceMappingURL=index.js.map');
    expect(existsSync(join(outdir, `asset.${hash}`, 'index.js.map'))).toBe(true);
  });

  it('gets the table and the management endpoint under the LambdaEnvironment names', () => {
    const [, fn] = ofType('AWS::Lambda::Function')[0]!;
    const variables = (fn.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(variables[LambdaEnvironment.tableName]).toEqual({ Ref: logicalId('AWS::DynamoDB::Table') });
    const endpoint = JSON.stringify(variables[LambdaEnvironment.managementEndpoint]);
    expect(endpoint).toContain('https://');
    expect(endpoint).toContain(logicalId('AWS::ApiGatewayV2::Api'));
    expect(endpoint).toContain('/dev');
  });

  it('takes a custom-domain management endpoint from configuration', () => {
    const custom = synthesize({
      stage: 'dev',
      managementEndpoint: 'https://ws.example.com',
      skipBundling: true,
    });
    custom.template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({ [LambdaEnvironment.managementEndpoint]: 'https://ws.example.com' }),
      },
    });
  });

  it('logs to its own log group with a retention', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      RetentionInDays: model.function.logRetentionDays,
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      LoggingConfig: { LogGroup: { Ref: logicalId('AWS::Logs::LogGroup') } },
    });
  });
});

describe('IAM', () => {
  it('no statement anywhere has a * resource or a wildcard action', () => {
    const statements = allStatements();
    expect(statements.length).toBeGreaterThan(0);
    for (const statement of statements) {
      expect(statement.Effect).toBe('Allow');
      for (const action of asList(statement.Action)) expect(action).not.toMatch(/\*/);
      for (const resource of asList(statement.Resource)) expect(resource).not.toBe('*');
    }
  });

  it('attaches no managed policy (the basic execution role grants logs on *)', () => {
    for (const [, role] of ofType('AWS::IAM::Role')) expect(role.ManagedPolicyArns).toBeUndefined();
  });

  it('grants exactly the TableActions on the table (and indexes only if there are any)', () => {
    const table = allStatements().filter((s) => s.Sid === 'TopicsocketTable');
    expect(table).toHaveLength(1);
    expect(asList(table[0]!.Action).sort()).toEqual([...TableActions].sort());
    const tableArn = { 'Fn::GetAtt': [logicalId('AWS::DynamoDB::Table'), 'Arn'] };
    const expected =
      TableDesign.globalSecondaryIndexes.length > 0 ? [tableArn, expect.anything()] : [tableArn];
    expect(asList(table[0]!.Resource)).toEqual(expected);
    const dynamoActions = allStatements().flatMap((s) =>
      asList(s.Action).filter((a) => a.startsWith('dynamodb:')),
    );
    expect(dynamoActions.sort()).toEqual([...TableActions].sort());
  });

  it('scopes ManageConnections to this API and stage, POST and DELETE only', () => {
    const apiId = logicalId('AWS::ApiGatewayV2::Api');
    const connections = allStatements().filter((s) =>
      asList(s.Action).includes('execute-api:ManageConnections'),
    );
    expect(connections).toHaveLength(1);
    expect(asList(connections[0]!.Action)).toEqual(['execute-api:ManageConnections']);
    const resources = asList(connections[0]!.Resource).map((r) => JSON.stringify(r));
    expect(resources).toHaveLength(2);
    for (const [index, method] of ['POST', 'DELETE'].entries()) {
      expect(resources[index]).toContain(`{"Ref":"${apiId}"}`);
      expect(resources[index]).toContain(`"/dev/${method}/@connections/*"`);
    }
  });

  it('lets the function write only its own log group', () => {
    const logs = allStatements().filter((s) => asList(s.Action).some((a) => a.startsWith('logs:')));
    expect(logs).toHaveLength(1);
    expect(logs[0]!.Resource).toEqual({ 'Fn::GetAtt': [logicalId('AWS::Logs::LogGroup'), 'Arn'] });
  });
});

describe('auth', () => {
  it('deploys no auth variable by default (the function then requires auth) and warns that nobody can connect', () => {
    const [, fn] = ofType('AWS::Lambda::Function')[0]!;
    const variables = (fn.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(Object.keys(variables).filter((name) => AuthVariableNames.includes(name))).toEqual([]);
    Annotations.fromStack(stack).hasWarning('*', Match.stringLikeRegexp('every connection will be refused'));
    expect(ofType('AWS::ApiGatewayV2::Authorizer')).toHaveLength(0);
  });

  it('passes the deployer auth settings to the function under the same names', () => {
    const settings = authSettings({
      TOPICSOCKET_JWKS_URL: 'https://cognito-idp.eu-west-1.amazonaws.com/pool/.well-known/jwks.json',
      TOPICSOCKET_JWT_ISSUER: 'https://cognito-idp.eu-west-1.amazonaws.com/pool',
      UNRELATED: 'not passed',
    });
    const withAuth = synthesize({ stage: 'dev', auth: settings, skipBundling: true });
    withAuth.template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike(settings) },
    });
    expect(JSON.stringify(withAuth.template.toJSON())).not.toContain('not passed');
    expect(Annotations.fromStack(withAuth.stack).findWarning('*', Match.anyValue())).toEqual([]);
  });
});
