/**
 * The model's pure functions: the stack options it accepts, the ARNs it builds, and the rule that index
 * ARNs are granted only when the design has indexes (the design has none today, so this is the only test
 * that exercises that branch).
 */
import { describe, expect, it } from 'vitest';
import { LambdaEnvironment } from '../../../src/core/config-env.ts';
import { TableActions, TableDesign } from '../../../src/stores/dynamodb/table-design.ts';
import {
  type ArnReferences,
  authorizerEnvironment,
  authSettings,
  authWarning,
  connectAuthMode,
  connectionsArn,
  defaultManagementEndpoint,
  functionEnvironment,
  PublishTableActions,
  policyStatements,
  publishAuthMode,
  publishAuthWarning,
  publishFunctionEnvironment,
  publishPolicyStatements,
  publishUrl,
  stackModel,
  type TableModel,
  tableModel,
} from '../index.ts';

const refs: ArnReferences = {
  partition: 'aws',
  region: 'eu-west-1',
  account: '123456789012',
  tableArn: 'arn:aws:dynamodb:eu-west-1:123456789012:table/topicsocket-dev',
  apiId: 'abc123',
  stage: 'dev',
};

describe('stackModel', () => {
  it('takes the table design as it is and names things after the stage', () => {
    const model = stackModel({ stage: 'dev' });
    expect(model.table).toMatchObject({
      name: 'topicsocket-cdk-dev',
      partitionKey: TableDesign.partitionKey,
      sortKey: TableDesign.sortKey,
      ttlAttribute: TableDesign.ttlAttribute,
      billingMode: TableDesign.billingMode,
      retainOnDelete: false,
    });
    expect(stackModel({ stage: 'prod' }).table.retainOnDelete).toBe(true);
    expect(model.function.timeoutSeconds).toBeLessThanOrEqual(29);
  });

  it('rejects stage names that cannot name a table and a stage, and endpoints that are not URLs', () => {
    for (const stage of ['', 'Prod', 'has space', 'a'.repeat(17), '1dev']) {
      expect(() => stackModel({ stage })).toThrow(/stage/);
    }
    expect(() => stackModel({ stage: 'dev', managementEndpoint: 'ws.example.com' })).toThrow(
      /managementEndpoint/,
    );
    expect(
      stackModel({ stage: 'dev', managementEndpoint: ' https://ws.example.com ' }).managementEndpoint,
    ).toBe('https://ws.example.com');
  });
});

describe('IAM', () => {
  it('grants exactly the TableActions on the table, and on its indexes only when there are some', () => {
    const plain: TableModel = { ...tableModel('cdk', 'dev'), indexes: [] };
    const indexed: TableModel = { ...plain, indexes: [{ name: 'byConnection', partitionKey: 'gsi1pk' }] };
    const [tableStatement] = policyStatements(plain, refs);
    expect(tableStatement!.actions).toEqual([...TableActions]);
    expect(tableStatement!.resources).toEqual([refs.tableArn]);
    expect(policyStatements(indexed, refs)[0]!.resources).toEqual([
      refs.tableArn,
      `${refs.tableArn}/index/*`,
    ]);
  });

  it('scopes ManageConnections to one API, one stage, one method', () => {
    expect(connectionsArn(refs, 'POST')).toBe(
      'arn:aws:execute-api:eu-west-1:123456789012:abc123/dev/POST/@connections/*',
    );
    const [, connections] = policyStatements(tableModel('cdk', 'dev'), refs);
    expect(connections!.actions).toEqual(['execute-api:ManageConnections']);
    expect(connections!.resources).toEqual([
      connectionsArn(refs, 'POST'),
      connectionsArn(refs, 'DELETE'),
      connectionsArn(refs, 'GET'),
    ]);
  });
});

describe('function environment', () => {
  it('uses the LambdaEnvironment names and the default-domain endpoint shape', () => {
    const endpoint = defaultManagementEndpoint('abc123', 'eu-west-1', 'amazonaws.com', 'dev');
    expect(endpoint).toBe('https://abc123.execute-api.eu-west-1.amazonaws.com/dev');
    expect(functionEnvironment('topicsocket-dev', endpoint)).toMatchObject({
      [LambdaEnvironment.tableName]: 'topicsocket-dev',
      [LambdaEnvironment.managementEndpoint]: endpoint,
    });
  });

  it('passes only known, non-empty auth variables, and says when nobody (or everybody) could connect', () => {
    const settings = authSettings({
      TOPICSOCKET_JWKS_URL: 'https://idp.example.com/jwks.json',
      TOPICSOCKET_JWT_ISSUER: ' ',
      HOME: '/root',
    });
    expect(settings).toEqual({ TOPICSOCKET_JWKS_URL: 'https://idp.example.com/jwks.json' });
    expect(authWarning(settings)).toBeUndefined();
    expect(authWarning({})).toMatch(/every connection will be refused/);
    expect(authWarning({ TOPICSOCKET_AUTH: 'open' })).toMatch(/anyone/);
  });
});

describe('publish route and connect authorizer', () => {
  it('reads the modes from the deployer environment: iam and function by default, typos refused', () => {
    expect(publishAuthMode(undefined)).toBe('iam');
    expect(publishAuthMode(' keys ')).toBe('keys');
    expect(() => publishAuthMode('none')).toThrow(/TOPICSOCKET_PUBLISH_AUTH/);
    expect(connectAuthMode('')).toBe('function');
    expect(connectAuthMode('authorizer')).toBe('authorizer');
    expect(() => connectAuthMode('lambda')).toThrow(/TOPICSOCKET_CONNECT_AUTH/);
    expect(stackModel({ stage: 'dev' })).toMatchObject({ publishAuth: 'iam', connectAuth: 'function' });
  });

  it('grants publish only what a publish does (history append, fan-out, gone cleanup), @connections POST on one stage', () => {
    const statements = publishPolicyStatements(tableModel('cdk', 'dev'), refs);
    expect(statements.map((s) => s.actions)).toEqual([
      [
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'dynamodb:Query',
        'dynamodb:DeleteItem',
        'dynamodb:BatchWriteItem',
        'dynamodb:BatchGetItem',
      ],
      ['execute-api:ManageConnections'],
    ]);
    expect(PublishTableActions.every((a) => (TableActions as readonly string[]).includes(a))).toBe(true);
    expect(statements[0]!.resources).toEqual([refs.tableArn]);
    expect(statements[1]!.resources).toEqual([connectionsArn(refs, 'POST')]);
    expect(publishUrl('xyz789', 'eu-west-1', 'amazonaws.com')).toBe(
      'https://xyz789.execute-api.eu-west-1.amazonaws.com/publish',
    );
  });

  it('gives each function only the auth variables it reads', () => {
    const auth = {
      TOPICSOCKET_JWT_SECRET: 'secret-secret-secret-secret-secret!',
      TOPICSOCKET_API_KEYS: 'publish-key-0123456789',
      TOPICSOCKET_PUBLISH_RATE: '10/20',
      TOPICSOCKET_PUBLISH_CLAIM: 'pub',
    };
    const iam = publishFunctionEnvironment('t', 'https://e', auth, 'iam');
    expect(iam).toMatchObject({ TOPICSOCKET_PUBLISH_AUTH: 'iam', TOPICSOCKET_PUBLISH_CLAIM: 'pub' });
    expect(iam.TOPICSOCKET_JWT_SECRET).toBeUndefined();
    expect(iam.TOPICSOCKET_API_KEYS).toBeUndefined();
    expect(publishFunctionEnvironment('t', 'https://e', auth, 'keys')).toMatchObject(auth);
    const authorizer = authorizerEnvironment(auth);
    expect(authorizer).toMatchObject({ TOPICSOCKET_JWT_SECRET: auth.TOPICSOCKET_JWT_SECRET });
    expect(authorizer.TOPICSOCKET_API_KEYS).toBeUndefined();
    expect(authorizer.TOPICSOCKET_PUBLISH_RATE).toBeUndefined();
  });

  it('refuses an authorizer that could not verify anything, and warns when keys mode has no key', () => {
    expect(() => stackModel({ stage: 'dev', connectAuth: 'authorizer' })).toThrow(/needs/);
    expect(() =>
      stackModel({
        stage: 'dev',
        connectAuth: 'authorizer',
        auth: { TOPICSOCKET_AUTH: 'open', TOPICSOCKET_JWKS_URL: 'https://idp.example.com/jwks.json' },
      }),
    ).toThrow(/contradicts/);
    expect(publishAuthWarning('keys', {})).toMatch(/refused/);
    expect(publishAuthWarning('keys', { TOPICSOCKET_API_KEYS: 'publish-key-0123456789' })).toBeUndefined();
    expect(publishAuthWarning('iam', {})).toBeUndefined();
  });
});
