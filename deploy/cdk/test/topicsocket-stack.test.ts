/**
 * The synthesized CloudFormation template holds what deploy/model says, in CDK's spelling: the four
 * routes, the MOCK pong, the table from the store's design, the HTTP API's `POST /publish` with AWS_IAM,
 * the optional `$connect` authorizer, and IAM that grants exactly the model's actions on exactly this
 * stack's resources, per function.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Annotations, Match, type Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LambdaEnvironment, TableActions, TableDesign } from '../../../src/stores/dynamodb/table-design.ts';
import {
  AuthVariableNames,
  authSettings,
  PongMock,
  PublishTableActions,
  PublishThrottle,
  Routes,
  type StackModel,
} from '../../model/index.ts';
import { repoRoot, type TopicsocketStack } from '../lib/topicsocket-stack.ts';
import { removeSynthOutputs, synthesize, TestAccount, TestRegion } from './synth-fixture.ts';

const authSecretArn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:topicsocket/dev-auth-AbCdEf';
const authSecret = { source: { kind: 'secrets-manager', arn: authSecretArn } } as const;

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

/** The logical id CDK derived from a top-level construct id (`Function` -> `Function76856677`). */
function idOf(type: string, constructId: string, from: Resources = resources): string {
  const pattern = new RegExp(`^${constructId}[0-9A-F]{8}$`);
  const matches = Object.entries(from).filter(([id, resource]) => resource.Type === type && pattern.test(id));
  expect(matches).toHaveLength(1);
  return matches[0]![0];
}

const webSocketApiId = () => idOf('AWS::ApiGatewayV2::Api', 'Api');
const publishApiId = () => idOf('AWS::ApiGatewayV2::Api', 'PublishApi');
const propsOf = (id: string, from: Resources = resources) => from[id]?.Properties ?? {};
const variablesOf = (functionConstructId: string, from: Resources = resources) =>
  (
    propsOf(idOf('AWS::Lambda::Function', functionConstructId, from), from).Environment as {
      Variables: Record<string, unknown>;
    }
  ).Variables;

/** Resources of a type whose properties mention a logical id (e.g. routes of one API). */
function referencing(type: string, id: string): [string, Record<string, unknown>][] {
  return ofType(type).filter(([, props]) => JSON.stringify(props).includes(`"${id}"`));
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

/** The statements of one function's role (its construct id + `Role`). */
function statementsOf(functionConstructId: string, from: Resources = resources): Statement[] {
  const policy = propsOf(idOf('AWS::IAM::Policy', `${functionConstructId}RoleDefaultPolicy`, from), from);
  return (policy.PolicyDocument as { Statement: Statement[] }).Statement;
}

describe('WebSocket API', () => {
  it('routes on the frame type and has exactly the model routes', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      ProtocolType: 'WEBSOCKET',
      RouteSelectionExpression: '$request.body.type',
    });
    const keys = referencing('AWS::ApiGatewayV2::Route', webSocketApiId()).map(([, props]) => props.RouteKey);
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
    const functionId = idOf('AWS::Lambda::Function', 'Function');
    const proxies = referencing('AWS::ApiGatewayV2::Integration', webSocketApiId()).filter(
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
    const permissions = referencing('AWS::Lambda::Permission', functionId);
    expect(permissions).toHaveLength(3);
    for (const [, props] of permissions) {
      expect(props.Principal).toBe('apigateway.amazonaws.com');
      expect(JSON.stringify(props.SourceArn)).toContain(`"${webSocketApiId()}"`);
    }
    // Without an authorizer, $connect is open at API Gateway: the function verifies the token.
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: '$connect',
      AuthorizationType: 'NONE',
    });
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
      ApiId: { Ref: webSocketApiId() },
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
      expect.arrayContaining(['WebSocketUrl', 'ManagementEndpoint', 'TableName', 'PublishUrl']),
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
      TableName: 'topicsocket-cdk-dev',
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
    const tableStatements = policies
      .flatMap((p) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement)
      .filter((s) => s.Sid === 'TopicsocketTable' || s.Sid === 'TopicsocketPublishTable');
    expect(tableStatements).toHaveLength(2);
    for (const statement of tableStatements) {
      expect(JSON.stringify(statement.Resource)).toContain('/index/*');
      expect(asList(statement.Resource)).toHaveLength(2);
    }
  });

  it('is deleted with a dev stack but retained with prod', () => {
    expect(template.toJSON().Resources[logicalId('AWS::DynamoDB::Table')].DeletionPolicy).toBe('Delete');
    const prod = synthesize({ stage: 'prod', skipBundling: true }).template;
    prod.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });
});

describe('Lambda function', () => {
  it('runs nodejs24.x on arm64 within the integration timeout, with a locally bundled asset', () => {
    const fn = propsOf(idOf('AWS::Lambda::Function', 'Function'));
    expect(fn).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      MemorySize: model.function.memoryMb,
    });
    expect(fn.Timeout).toBeLessThanOrEqual(29);
    expect(JSON.stringify(fn.Code)).toContain(`-${TestAccount}-${TestRegion}`);
  });

  it('ships one esbuild bundle of the real handler, AWS SDK v3 included, with its source map', () => {
    const fn = propsOf(idOf('AWS::Lambda::Function', 'Function'));
    const hash = ((fn.Code as { S3Key: string }).S3Key ?? '').replace(/\.zip$/, '');
    const bundle = readFileSync(join(outdir, `asset.${hash}`, 'index.js'), 'utf8');
    expect(bundle.length).toBeGreaterThan(100_000);
    // Only the optional CRT signer stays a (guarded) runtime require; every client is inside the bundle.
    expect(bundle).not.toMatch(/require\(["']@aws-sdk\/(client|lib)-/);
    // The `@connections` client's operation (its ES module build is bundled, so class names are minified).
    expect(bundle).toContain('"PostToConnection"');
    expect(bundle).toContain('//# sourceMappingURL=index.js.map');
    expect(existsSync(join(outdir, `asset.${hash}`, 'index.js.map'))).toBe(true);
  });

  it('gets the table and the management endpoint under the LambdaEnvironment names (both functions)', () => {
    for (const construct of ['Function', 'PublishFunction']) {
      const variables = variablesOf(construct);
      expect(variables[LambdaEnvironment.tableName]).toEqual({ Ref: logicalId('AWS::DynamoDB::Table') });
      const endpoint = JSON.stringify(variables[LambdaEnvironment.managementEndpoint]);
      expect(endpoint).toContain('https://');
      expect(endpoint).toContain(`"${webSocketApiId()}"`);
      expect(endpoint).toContain('/dev');
    }
  });

  it('takes a custom-domain management endpoint from configuration', () => {
    const custom = synthesize({
      stage: 'dev',
      managementEndpoint: 'https://ws.example.com',
      skipBundling: true,
    });
    const customResources = custom.template.toJSON().Resources as Resources;
    for (const construct of ['Function', 'PublishFunction']) {
      expect(variablesOf(construct, customResources)[LambdaEnvironment.managementEndpoint]).toBe(
        'https://ws.example.com',
      );
    }
  });

  it('logs to its own log group with a retention (each function)', () => {
    for (const construct of ['Function', 'PublishFunction']) {
      const logGroup = idOf('AWS::Logs::LogGroup', `${construct}Logs`);
      expect(propsOf(logGroup).RetentionInDays).toBe(model.function.logRetentionDays);
      expect(propsOf(idOf('AWS::Lambda::Function', construct)).LoggingConfig).toEqual({
        LogGroup: { Ref: logGroup },
      });
    }
  });
});

describe('publish API (HTTP API)', () => {
  it('is an HTTP API with exactly one route, POST /publish, authorized with AWS_IAM', () => {
    expect(propsOf(publishApiId())).toMatchObject({ ProtocolType: 'HTTP' });
    const routes = referencing('AWS::ApiGatewayV2::Route', publishApiId());
    expect(routes.map(([, props]) => props.RouteKey)).toEqual(['POST /publish']);
    expect(routes[0]![1].AuthorizationType).toBe('AWS_IAM');
    expect(routes[0]![1].AuthorizerId).toBeUndefined();
  });

  it('integrates the route with the publish function (Lambda proxy, payload 2.0), invocable from this API only', () => {
    const publishFn = idOf('AWS::Lambda::Function', 'PublishFunction');
    const integrations = referencing('AWS::ApiGatewayV2::Integration', publishApiId());
    expect(integrations).toHaveLength(1);
    const [integrationId, integration] = integrations[0]!;
    expect(integration).toMatchObject({ IntegrationType: 'AWS_PROXY', PayloadFormatVersion: '2.0' });
    expect(JSON.stringify(integration.IntegrationUri)).toContain(`"${publishFn}"`);
    const [, route] = referencing('AWS::ApiGatewayV2::Route', publishApiId())[0]!;
    expect(route.Target).toEqual({ 'Fn::Join': ['', ['integrations/', { Ref: integrationId }]] });
    const permissions = referencing('AWS::Lambda::Permission', publishFn);
    expect(permissions).toHaveLength(1);
    const sourceArn = JSON.stringify(permissions[0]![1].SourceArn);
    expect(sourceArn).toContain(`"${publishApiId()}"`);
    expect(sourceArn).toContain('/publish');
  });

  it('auto-deploys a throttled $default stage and outputs the publish URL', () => {
    const stages = referencing('AWS::ApiGatewayV2::Stage', publishApiId());
    expect(stages).toHaveLength(1);
    expect(stages[0]![1]).toMatchObject({
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: {
        ThrottlingRateLimit: PublishThrottle.rateLimit,
        ThrottlingBurstLimit: PublishThrottle.burstLimit,
      },
    });
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    const url = JSON.stringify(outputs.PublishUrl!.Value);
    expect(url).toContain('https://');
    expect(url).toContain(`"${publishApiId()}"`);
    expect(url).toMatch(/\/publish"\]\]\}$/);
  });

  it('runs the publish handler on nodejs24.x/arm64 within the integration timeout, told to require IAM', () => {
    const fn = propsOf(idOf('AWS::Lambda::Function', 'PublishFunction'));
    expect(fn).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      MemorySize: model.publishFunction.memoryMb,
    });
    expect(fn.Timeout).toBeLessThanOrEqual(29);
    expect(variablesOf('PublishFunction').TOPICSOCKET_PUBLISH_AUTH).toBe('iam');
    const hash = ((fn.Code as { S3Key: string }).S3Key ?? '').replace(/\.zip$/, '');
    const bundle = readFileSync(join(outdir, `asset.${hash}`, 'index.js'), 'utf8');
    // The real publish handler (its IAM refusal), not the WebSocket one, with the SDK bundled.
    expect(bundle).toContain('IAM authorization required');
    expect(bundle).toContain('"PostToConnection"');
    expect(bundle).not.toMatch(/require\(["']@aws-sdk\/(client|lib)-/);
  });

  it('keeps the auth secret (even its ARN) out of the publish function when IAM authenticates callers', () => {
    const settings = { TOPICSOCKET_DEFAULT_PUBLISH: 'news/*' };
    const iam = synthesize({ stage: 'dev', auth: settings, authSecret, skipBundling: true });
    const iamResources = iam.template.toJSON().Resources as Resources;
    expect(variablesOf('Function', iamResources)).toMatchObject({
      ...settings,
      TOPICSOCKET_AUTH_SECRET_ARN: authSecretArn,
    });
    const publish = variablesOf('PublishFunction', iamResources);
    expect(publish.TOPICSOCKET_AUTH_SECRET_ARN).toBeUndefined();
    expect(publish.TOPICSOCKET_DEFAULT_PUBLISH).toBe('news/*');
  });

  it('with publishAuth keys: no API Gateway authorization, and the function checks keys or bearer JWTs', () => {
    const keys = synthesize({ stage: 'dev', authSecret, publishAuth: 'keys', skipBundling: true });
    const keysResources = keys.template.toJSON().Resources as Resources;
    keys.template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: 'POST /publish',
      AuthorizationType: 'NONE',
    });
    expect(variablesOf('PublishFunction', keysResources)).toMatchObject({
      TOPICSOCKET_PUBLISH_AUTH: 'keys',
      TOPICSOCKET_AUTH_SECRET_ARN: authSecretArn,
    });
    expect(
      Annotations.fromStack(keys.stack).findWarning('*', Match.stringLikeRegexp('POST /publish')),
    ).toEqual([]);
    const keyless = synthesize({ stage: 'dev', publishAuth: 'keys', skipBundling: true });
    Annotations.fromStack(keyless.stack).hasWarning(
      '*',
      Match.stringLikeRegexp('every POST /publish will be refused'),
    );
  });
});

describe('$connect authorizer (connectAuth: authorizer)', () => {
  const jwks = {
    TOPICSOCKET_JWKS_URL: 'https://cognito-idp.eu-west-1.amazonaws.com/pool/.well-known/jwks.json',
    TOPICSOCKET_JWT_ISSUER: 'https://cognito-idp.eu-west-1.amazonaws.com/pool',
    TOPICSOCKET_PUBLISH_RATE: '10/20',
  };
  let authorized: Resources;
  beforeAll(() => {
    authorized = synthesize({
      stage: 'dev',
      auth: jwks,
      connectAuth: 'authorizer',
      skipBundling: true,
    }).template.toJSON().Resources as Resources;
  });
  const typed = (type: string) => Object.entries(authorized).filter(([, r]) => r.Type === type);

  it('puts a REQUEST authorizer without identity sources on $connect only', () => {
    const authorizers = typed('AWS::ApiGatewayV2::Authorizer');
    expect(authorizers).toHaveLength(1);
    const [authorizerId, authorizer] = authorizers[0]!;
    const apiId = idOf('AWS::ApiGatewayV2::Api', 'Api', authorized);
    // Identity sources are ANDed: any one would refuse tokens sent another way (subprotocol, header, query).
    expect(authorizer.Properties).toMatchObject({
      ApiId: { Ref: apiId },
      AuthorizerType: 'REQUEST',
      IdentitySource: [],
    });
    const authorizerFn = idOf('AWS::Lambda::Function', 'ConnectAuthorizerFunction', authorized);
    expect(JSON.stringify(authorizer.Properties?.AuthorizerUri)).toContain(`"${authorizerFn}"`);
    const routes = typed('AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties ?? {});
    for (const route of routes) {
      if (route.RouteKey === '$connect') {
        expect(route).toMatchObject({ AuthorizationType: 'CUSTOM', AuthorizerId: { Ref: authorizerId } });
      } else {
        expect(route.AuthorizerId).toBeUndefined();
      }
    }
  });

  it('lets only this API authorizer invoke the function, which may only write its own logs', () => {
    const authorizerId = typed('AWS::ApiGatewayV2::Authorizer')[0]![0];
    const authorizerFn = idOf('AWS::Lambda::Function', 'ConnectAuthorizerFunction', authorized);
    const permissions = typed('AWS::Lambda::Permission').filter(([, r]) =>
      JSON.stringify(r.Properties?.FunctionName).includes(`"${authorizerFn}"`),
    );
    expect(permissions).toHaveLength(1);
    const sourceArn = JSON.stringify(permissions[0]![1].Properties?.SourceArn);
    expect(sourceArn).toContain(`"${idOf('AWS::ApiGatewayV2::Api', 'Api', authorized)}"`);
    expect(sourceArn).toContain(`/authorizers/`);
    expect(sourceArn).toContain(`"${authorizerId}"`);
    const statements = statementsOf('ConnectAuthorizerFunction', authorized);
    expect(statements.map((statement) => statement.Sid)).toEqual(['TopicsocketLogs']);
    const everyStatement = typed('AWS::IAM::Policy').flatMap(
      ([id]) => (propsOf(id, authorized).PolicyDocument as { Statement: Statement[] }).Statement,
    );
    expect(everyStatement.length).toBeGreaterThan(0);
    for (const statement of everyStatement) {
      for (const action of asList(statement.Action)) expect(action).not.toMatch(/\*/);
      for (const resource of asList(statement.Resource)) expect(resource).not.toBe('*');
    }
  });

  it('runs the authorizer entry on nodejs24.x/arm64 with the token settings only', () => {
    const fn = propsOf(idOf('AWS::Lambda::Function', 'ConnectAuthorizerFunction', authorized), authorized);
    expect(fn).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'], Handler: 'index.handler' });
    expect(fn.Timeout).toBeLessThanOrEqual(29);
    const variables = variablesOf('ConnectAuthorizerFunction', authorized);
    expect(variables).toMatchObject({
      TOPICSOCKET_JWKS_URL: jwks.TOPICSOCKET_JWKS_URL,
      TOPICSOCKET_JWT_ISSUER: jwks.TOPICSOCKET_JWT_ISSUER,
    });
    expect(variables.TOPICSOCKET_PUBLISH_RATE).toBeUndefined();
    expect(readFileSync(join(repoRoot, model.authorizerFunction.entry), 'utf8')).toContain(
      'createConnectAuthorizer(loadAuthConfig(',
    );
  });

  it('is refused at synth without a key source, or with auth open', () => {
    expect(() => synthesize({ stage: 'dev', connectAuth: 'authorizer', skipBundling: true })).toThrow(
      /TOPICSOCKET_JWKS_URL or an auth secret holding TOPICSOCKET_JWT_SECRET/,
    );
    expect(() =>
      synthesize({
        stage: 'dev',
        connectAuth: 'authorizer',
        auth: { ...jwks, TOPICSOCKET_AUTH: 'open' },
        skipBundling: true,
      }),
    ).toThrow(/contradicts/);
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

  it('grants exactly the TableActions on the table to the WebSocket function, the publish subset to publish', () => {
    const tableArn = { 'Fn::GetAtt': [logicalId('AWS::DynamoDB::Table'), 'Arn'] };
    const expected =
      TableDesign.globalSecondaryIndexes.length > 0 ? [tableArn, expect.anything()] : [tableArn];
    const grants: [string, readonly string[]][] = [
      ['Function', TableActions],
      ['PublishFunction', PublishTableActions],
    ];
    for (const [construct, actions] of grants) {
      const table = statementsOf(construct).filter((s) =>
        asList(s.Action).some((a) => a.startsWith('dynamodb:')),
      );
      expect(table).toHaveLength(1);
      expect(asList(table[0]!.Action).sort()).toEqual([...actions].sort());
      expect(asList(table[0]!.Resource)).toEqual(expected);
    }
    // Publishing only reads subscribers and removes gone connections: no puts, no updates.
    expect(PublishTableActions.every((action) => (TableActions as readonly string[]).includes(action))).toBe(
      true,
    );
    const dynamoActions = new Set(
      allStatements().flatMap((s) => asList(s.Action).filter((a) => a.startsWith('dynamodb:'))),
    );
    expect([...dynamoActions].sort()).toEqual([...TableActions].sort());
  });

  it('scopes ManageConnections to this API and stage: POST and DELETE for the WebSocket function, POST for publish', () => {
    const apiId = webSocketApiId();
    const connections = allStatements().filter((s) =>
      asList(s.Action).includes('execute-api:ManageConnections'),
    );
    expect(connections).toHaveLength(3);
    const methods: [string, string[]][] = [
      ['Function', ['POST', 'DELETE', 'GET']],
      ['PublishFunction', ['POST']],
      ['FanoutWorker', ['POST']],
    ];
    for (const [construct, expected] of methods) {
      const statement = statementsOf(construct).filter((s) =>
        asList(s.Action).includes('execute-api:ManageConnections'),
      );
      expect(statement).toHaveLength(1);
      expect(asList(statement[0]!.Action)).toEqual(['execute-api:ManageConnections']);
      const arns = asList(statement[0]!.Resource).map((r) => JSON.stringify(r));
      expect(arns).toHaveLength(expected.length);
      for (const [index, method] of expected.entries()) {
        expect(arns[index]).toContain(`{"Ref":"${apiId}"}`);
        expect(arns[index]).toContain(`"/dev/${method}/@connections/*"`);
      }
    }
  });

  it('lets each function write only its own log group', () => {
    const logs = allStatements().filter((s) => asList(s.Action).some((a) => a.startsWith('logs:')));
    expect(logs).toHaveLength(3);
    for (const construct of ['Function', 'PublishFunction', 'FanoutWorker']) {
      const own = statementsOf(construct).filter((s) => asList(s.Action).some((a) => a.startsWith('logs:')));
      expect(own).toHaveLength(1);
      expect(own[0]!.Resource).toEqual({
        'Fn::GetAtt': [idOf('AWS::Logs::LogGroup', `${construct}Logs`), 'Arn'],
      });
    }
  });
});

describe('auth', () => {
  it('deploys no auth variable by default (the function then requires auth) and warns that nobody can connect', () => {
    const variables = variablesOf('Function');
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
