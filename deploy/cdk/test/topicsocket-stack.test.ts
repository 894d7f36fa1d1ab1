/**
 * The CDK spelling of the stack: the bundled assets, the functions' handler and log wiring, and the variants
 * of the stack (custom domain, prod, indexes, publish auth `keys`, the `$connect` authorizer, warnings).
 * What every rendered template holds, whichever tool rendered it, is deploy/model's template contract
 * (template-contract.test.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Annotations, Match, type Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LambdaEnvironment } from '../../../src/core/config-env.ts';
import { AuthVariableNames, authSettings, type StackModel } from '../../model/index.ts';
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

const propsOf = (id: string, from: Resources = resources) => from[id]?.Properties ?? {};
const variablesOf = (functionConstructId: string, from: Resources = resources) =>
  (
    propsOf(idOf('AWS::Lambda::Function', functionConstructId, from), from).Environment as {
      Variables: Record<string, unknown>;
    }
  ).Variables;

interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

const asList = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/** The statements of one function's role (its construct id + `Role`). */
function statementsOf(functionConstructId: string, from: Resources = resources): Statement[] {
  const policy = propsOf(idOf('AWS::IAM::Policy', `${functionConstructId}RoleDefaultPolicy`, from), from);
  return (policy.PolicyDocument as { Statement: Statement[] }).Statement;
}

describe('DynamoDB table', () => {
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
