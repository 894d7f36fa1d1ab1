/**
 * `serverless package` runs offline, and its CloudFormation template holds deploy/model's template contract
 * (deploy/model/test/template-contract.ts, run here and against the CDK synth). This file adds the
 * Serverless Framework's own spelling: entry handlers and the packaged zip, the framework defaults the
 * service replaces (its role, open invoke permissions), the MOCK pong in the stage deployment, and the
 * variants `serverless print` and the authorizer mode render.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LambdaEnvironment } from '../../../src/core/config-env.ts';
import { FunctionModel, PlainAuthVariableNames } from '../../model/index.ts';
import { type CloudFormationTemplate, templateContract } from '../../model/test/template-contract.ts';
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
/** The statements of one role's inline policies (conditional ones as CloudFormation resolves them). */
const statementsOf = (roleId: string): Statement[] =>
  (resources[roleId]!.Properties.Policies as { PolicyDocument: { Statement: Statement[] } }[]).flatMap(
    (policy) => policy.PolicyDocument.Statement.flatMap((item) => resolveItem(template, item) as Statement[]),
  );

templateContract('Serverless Framework', () => ({
  template: template as unknown as CloudFormationTemplate,
  stage: 'dev',
  tableName: 'topicsocket-sls-dev',
  ids: {
    webSocketApi: 'WebsocketsApi',
    publishApi: 'HttpApi',
    table: 'TopicsocketTable',
    fanoutQueue: 'TopicsocketFanoutQueue',
    deadLetterQueue: 'TopicsocketFanoutDeadLetterQueue',
    functions: {
      websocket: 'WebsocketLambdaFunction',
      publish: 'PublishLambdaFunction',
      worker: 'FanoutWorkerLambdaFunction',
      authorizer: 'ConnectAuthorizerLambdaFunction',
    },
  },
  resolveItem: (item) => resolveItem(template, item),
}));

describe('serverless package (offline)', () => {
  it('takes the ping resources into the stage deployment (new deployment when they change)', () => {
    const [[deploymentId, deployment]] = ofType('AWS::ApiGatewayV2::Deployment') as [[string, Resource]];
    const pingIds = Object.keys(resources).filter((id) => id.startsWith('PingMock'));
    expect(pingIds).toHaveLength(4);
    expect(deployment.DependsOn).toEqual(expect.arrayContaining(pingIds));
    expect(resources.WebsocketsDeploymentStage!.Properties.DeploymentId).toEqual({ Ref: deploymentId });
  });

  it('names the functions, runs the WebSocket one from its entry, and deploys no auth variable unless set', () => {
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
    expect(fn.Handler).toBe('handler-entry.handler');
    const variables = (fn.Environment as { Variables: Record<string, unknown> }).Variables;
    // Auth settings come from the deployer's environment; none set here, so none deployed (auth required).
    for (const name of PlainAuthVariableNames) expect(variables[name]).toBe('');
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
    it('runs the publish entry, with its bundle packaged', () => {
      const fn = resources.PublishLambdaFunction!.Properties;
      expect(fn).toMatchObject({
        Handler: 'publish-entry.handler',
        Role: { 'Fn::GetAtt': ['TopicsocketPublishRole', 'Arn'] },
      });
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
  });

  describe('sharded fan-out', () => {
    it('runs the worker from its entry, with no auth variable', () => {
      const worker = resources.FanoutWorkerLambdaFunction!.Properties;
      expect(worker.Handler).toBe('worker-entry.handler');
      const variables = (worker.Environment as { Variables: Record<string, unknown> }).Variables;
      for (const name of PlainAuthVariableNames) expect(variables[name]).toBe('');
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
