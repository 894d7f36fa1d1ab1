/**
 * Production defaults of the CDK stack: its own stack and table names, a protected retained table (and the
 * way back to it after a destroy), secrets only by ARN with IAM on exactly that ARN, access logs on both
 * APIs, the model's alarms, per-route invoke permissions, and the current Node.js runtime.
 */
import { Match } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LambdaEnvironment } from '../../../src/core/config-env.ts';
import { alarmModels, HttpAccessLogFormat, Routes, WebSocketAccessLogFormat } from '../../model/index.ts';
import { removeSynthOutputs, type Synthesized, synthesize } from './synth-fixture.ts';

type Resources = Record<
  string,
  { Type: string; Properties?: Record<string, unknown>; DeletionPolicy?: string }
>;

const secretArn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:topicsocket/prod-auth-AbCdEf';
const keyArn = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
/** What the deployer put in the secret: it must appear nowhere the stack writes. */
const secretValue = 'the-hs256-secret-that-only-secrets-manager-holds';

let prod: Synthesized;
let resources: Resources;

beforeAll(() => {
  prod = synthesize({
    stage: 'prod',
    authSecret: { source: { kind: 'secrets-manager', arn: secretArn }, kmsKeyArn: keyArn },
    alarmTopicArn: 'arn:aws:sns:eu-west-1:123456789012:topicsocket-alarms',
    skipBundling: true,
  });
  resources = prod.template.toJSON().Resources as Resources;
});
afterAll(removeSynthOutputs);

const ofType = (type: string, from: Resources = resources) =>
  Object.entries(from).filter(([, resource]) => resource.Type === type);
const functionId = (constructId: string, from: Resources = resources) =>
  ofType('AWS::Lambda::Function', from).find(([id]) =>
    new RegExp(`^${constructId}[0-9A-F]{8}$`).test(id),
  )![0];
const statementsOfFunction = (constructId: string, from: Resources = resources) => {
  const role = JSON.stringify((from[functionId(constructId, from)]!.Properties!.Role as unknown) ?? '');
  const roleId = /"Fn::GetAtt":\["([^"]+)"/.exec(role)![1]!;
  return ofType('AWS::IAM::Policy', from)
    .filter(([, policy]) => JSON.stringify(policy.Properties!.Roles).includes(`"${roleId}"`))
    .flatMap(
      ([, policy]) =>
        (
          policy.Properties!.PolicyDocument as {
            Statement: { Sid: string; Action: unknown; Resource: unknown }[];
          }
        ).Statement,
    );
};

describe('names and the retained table', () => {
  it('names the stack and the table topicsocket-cdk-{stage}', () => {
    expect(prod.stack.stackName).toBe('topicsocket-cdk-prod');
    prod.template.hasResourceProperties('AWS::DynamoDB::Table', { TableName: 'topicsocket-cdk-prod' });
  });

  it('retains the prod table with deletion protection and point-in-time recovery; dev has neither', () => {
    prod.template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        DeletionProtectionEnabled: true,
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      }),
    });
    const dev = synthesize({ stage: 'dev', skipBundling: true }).template;
    dev.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Delete',
      Properties: Match.objectLike({ DeletionProtectionEnabled: false }),
    });
  });

  it('re-creates prod on the retained table by name: no table resource, the same grants on its ARN', () => {
    const again = synthesize({
      stage: 'prod',
      existingTableName: 'topicsocket-cdk-prod',
      skipBundling: true,
    });
    const json = again.template.toJSON() as { Resources: Resources };
    expect(ofType('AWS::DynamoDB::Table', json.Resources)).toHaveLength(0);
    const table = statementsOfFunction('Function', json.Resources).find((s) => s.Sid === 'TopicsocketTable')!;
    expect(JSON.stringify(table.Resource)).toContain(':table/topicsocket-cdk-prod');
    const env = (
      json.Resources[functionId('Function', json.Resources)]!.Properties!.Environment as {
        Variables: Record<string, unknown>;
      }
    ).Variables;
    expect(env[LambdaEnvironment.tableName]).toBe('topicsocket-cdk-prod');
  });
});

describe('secrets', () => {
  it('puts no secret in the template: the functions get the ARN only', () => {
    const text = JSON.stringify(prod.template.toJSON());
    expect(text).not.toContain(secretValue);
    for (const name of [
      'TOPICSOCKET_JWT_SECRET',
      'TOPICSOCKET_JWT_SECRET_PREVIOUS',
      'TOPICSOCKET_API_KEYS',
    ]) {
      expect(text).not.toContain(name);
    }
    expect(text).toContain(`"TOPICSOCKET_AUTH_SECRET_ARN":"${secretArn}"`);
  });

  it('refuses to synthesize with a secret in the deploy environment', () => {
    expect(() =>
      synthesize({ stage: 'dev', auth: { TOPICSOCKET_JWT_SECRET: secretValue }, skipBundling: true }),
    ).toThrow(/TOPICSOCKET_JWT_SECRET would be written into the template/);
  });

  it('lets the WebSocket function read exactly that secret and decrypt with exactly that key; publish (iam) neither', () => {
    const statements = statementsOfFunction('Function').filter((s) =>
      s.Sid.startsWith('TopicsocketAuthSecret'),
    );
    expect(statements.map(({ Sid, Action, Resource }) => ({ Sid, Action, Resource }))).toEqual([
      { Sid: 'TopicsocketAuthSecret', Action: 'secretsmanager:GetSecretValue', Resource: secretArn },
      { Sid: 'TopicsocketAuthSecretKey', Action: 'kms:Decrypt', Resource: keyArn },
    ]);
    expect(statementsOfFunction('PublishFunction').map((s) => s.Sid)).not.toContain('TopicsocketAuthSecret');
    const publishEnv = JSON.stringify(resources[functionId('PublishFunction')]!.Properties!.Environment);
    expect(publishEnv).not.toContain(secretArn);
  });

  it('lets the publish function (keys) and the authorizer read it too', () => {
    const keys = synthesize({
      stage: 'dev',
      authSecret: { source: { kind: 'ssm', arn: 'arn:aws:ssm:eu-west-1:123456789012:parameter/ts/auth' } },
      publishAuth: 'keys',
      connectAuth: 'authorizer',
      skipBundling: true,
    });
    const json = keys.template.toJSON().Resources as Resources;
    for (const fn of ['PublishFunction', 'ConnectAuthorizerFunction']) {
      const read = statementsOfFunction(fn, json).find((s) => s.Sid === 'TopicsocketAuthSecret');
      expect(read).toMatchObject({
        Action: 'ssm:GetParameter',
        Resource: 'arn:aws:ssm:eu-west-1:123456789012:parameter/ts/auth',
      });
    }
  });
});

describe('access logs', () => {
  it('logs both APIs to their own log groups in the model formats', () => {
    const stages = ofType('AWS::ApiGatewayV2::Stage').map(([, stage]) => stage.Properties!);
    const formats = stages
      .map((stage) => (stage.AccessLogSettings as { Format: string } | undefined)?.Format)
      .sort();
    expect(formats).toEqual([HttpAccessLogFormat, WebSocketAccessLogFormat].sort());
    for (const stage of stages) {
      const destination = JSON.stringify(
        (stage.AccessLogSettings as { DestinationArn: unknown }).DestinationArn,
      );
      const [, groupId] = /"Fn::GetAtt":\["([^"]+)","Arn"\]/.exec(destination)!;
      expect(resources[groupId!]).toMatchObject({
        Type: 'AWS::Logs::LogGroup',
        Properties: { RetentionInDays: 14 },
      });
    }
  });

  it('can deploy the WebSocket stage without them (no account CloudWatch role yet); the HTTP API keeps its', () => {
    const off = synthesize({ stage: 'dev', webSocketAccessLogs: 'off', skipBundling: true });
    const stages = ofType('AWS::ApiGatewayV2::Stage', off.template.toJSON().Resources as Resources);
    expect(stages.filter(([, s]) => s.Properties!.AccessLogSettings)).toHaveLength(1);
    expect(ofType('AWS::ApiGateway::Account', off.template.toJSON().Resources as Resources)).toHaveLength(0);
  });
});

describe('alarms', () => {
  it('deploys every model alarm, on this stack own functions, APIs and table, notifying the topic', () => {
    // The fan-out's own alarms (DLQ depth, worker errors: fanout.test.ts) notify the same topic.
    const [fanoutAlarms, ownAlarms] = partition(ofType('AWS::CloudWatch::Alarm'), ([id]) =>
      id.startsWith('Fanout'),
    );
    expect(fanoutAlarms).toHaveLength(2);
    for (const [, alarm] of fanoutAlarms) {
      expect(alarm.Properties).toMatchObject({
        AlarmActions: ['arn:aws:sns:eu-west-1:123456789012:topicsocket-alarms'],
        OKActions: ['arn:aws:sns:eu-west-1:123456789012:topicsocket-alarms'],
      });
    }
    const alarms = ownAlarms.map(([, alarm]) => alarm.Properties!);
    const expected = alarmModels({
      functions: [
        { label: 'websocket', name: 'x' },
        { label: 'publish', name: 'y' },
      ],
      webSocketApiId: 'a',
      webSocketStage: 'prod',
      httpApiId: 'h',
      httpStage: '$default',
      tableName: 't',
    });
    expect(alarms.map((a) => `${a.Namespace}/${a.MetricName}`).sort()).toEqual(
      expected.map((a) => `${a.namespace}/${a.metricName}`).sort(),
    );
    for (const alarm of alarms) {
      expect(alarm).toMatchObject({
        Statistic: 'Sum',
        Period: 300,
        EvaluationPeriods: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
        AlarmActions: ['arn:aws:sns:eu-west-1:123456789012:topicsocket-alarms'],
        OKActions: ['arn:aws:sns:eu-west-1:123456789012:topicsocket-alarms'],
      });
    }
    const dimensions = JSON.stringify(alarms.map((a) => a.Dimensions));
    expect(dimensions).toContain(`{"Name":"FunctionName","Value":{"Ref":"${functionId('Function')}"}}`);
    expect(dimensions).toContain(
      `{"Name":"FunctionName","Value":{"Ref":"${functionId('PublishFunction')}"}}`,
    );
    expect(dimensions).toContain('{"Name":"Stage","Value":"prod"}');
    expect(dimensions).toContain('{"Name":"Stage","Value":"$default"}');
  });

  it('alarms on the authorizer too when there is one', () => {
    const withAuthorizer = synthesize({
      stage: 'dev',
      auth: {
        TOPICSOCKET_JWKS_URL: 'https://idp.example.com/jwks.json',
        TOPICSOCKET_JWT_ISSUER: 'https://idp',
      },
      connectAuth: 'authorizer',
      skipBundling: true,
    });
    const json = withAuthorizer.template.toJSON().Resources as Resources;
    const named = JSON.stringify(
      ofType('AWS::CloudWatch::Alarm', json).map(([, a]) => a.Properties!.Dimensions),
    );
    expect(named).toContain(`{"Ref":"${functionId('ConnectAuthorizerFunction', json)}"}`);
  });
});

describe('Lambda', () => {
  it('runs every function on nodejs24.x', () => {
    for (const [, fn] of ofType('AWS::Lambda::Function')) {
      if (String(fn.Properties!.Handler).startsWith('index.'))
        expect(fn.Properties!.Runtime).toBe('nodejs24.x');
    }
  });

  it('lets API Gateway invoke the WebSocket function per route, from this API only', () => {
    const fn = functionId('Function');
    const arns = ofType('AWS::Lambda::Permission')
      .filter(([, p]) => JSON.stringify(p.Properties!.FunctionName).includes(`"${fn}"`))
      .map(([, p]) => JSON.stringify(p.Properties!.SourceArn));
    const routes = Routes.filter((route) => route.target === 'function').map((route) => route.key);
    expect(arns).toHaveLength(routes.length);
    for (const route of routes) expect(arns.filter((arn) => arn.endsWith(`/*${route}"]]}`))).toHaveLength(1);
  });
});

function partition<T>(items: readonly T[], test: (item: T) => boolean): [T[], T[]] {
  return [items.filter(test), items.filter((item) => !test(item))];
}
