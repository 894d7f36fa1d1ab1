/**
 * Production defaults of the Serverless package, with a deployer's settings: its own stack and table names,
 * the auth secret by ARN only (IAM on exactly that ARN, none for the publish function in IAM mode), no
 * secret value anywhere in the package, secrets in the deploy environment refused, a protected retained
 * table, access logs on both APIs, and the model's alarms.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cfnLintAvailable, cfnLintErrors } from '../../../test/support/cfn-lint.ts';
import {
  alarmModels,
  FunctionModel,
  HttpAccessLogFormat,
  WebSocketAccessLogFormat,
} from '../../model/index.ts';
import { runServerless } from '../lib/serverless-cli.ts';
import { type ConditionalTemplate, holds, resolveItem } from './template-conditions.ts';

interface Resource {
  Type: string;
  Properties: Record<string, unknown>;
  Condition?: string;
  DeletionPolicy?: string;
}
interface Template extends ConditionalTemplate {
  Resources: Record<string, Resource>;
}

const secretArn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:topicsocket/prod-auth-AbCdEf';
const secretValue = 'the-hs256-secret-that-only-secrets-manager-holds';
const dirs: string[] = [];

async function packaged(
  stage: string,
  deployerEnv: NodeJS.ProcessEnv,
): Promise<{ dir: string; template: Template }> {
  const dir = mkdtempSync(join(tmpdir(), 'topicsocket-sls-hardening-'));
  dirs.push(dir);
  await runServerless(['package', '--stage', stage, '--package', dir], deployerEnv);
  const template = JSON.parse(readFileSync(join(dir, 'cloudformation-template-update-stack.json'), 'utf8'));
  return { dir, template };
}

/** Statements of a role, with the template's Fn::If resolved as CloudFormation would. */
function statementsOf(
  template: Template,
  roleId: string,
): { Sid: string; Action: string[]; Resource: unknown[] }[] {
  const policies = template.Resources[roleId]!.Properties.Policies as {
    PolicyDocument: { Statement: unknown[] };
  }[];
  return policies.flatMap((p) =>
    p.PolicyDocument.Statement.flatMap((item) => resolveItem(template, item)),
  ) as never;
}

let prod: { dir: string; template: Template };
let iam: { dir: string; template: Template };

beforeAll(async () => {
  // One at a time: every package builds into this folder's .esbuild/.
  prod = await packaged('prod', {
    TOPICSOCKET_AUTH_SECRET_ARN: secretArn,
    TOPICSOCKET_PUBLISH_AUTH: 'keys',
    TOPICSOCKET_ALARM_TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:topicsocket-alarms',
  });
  iam = await packaged('dev', {
    TOPICSOCKET_AUTH_SECRET_ARN: secretArn,
    TOPICSOCKET_WEBSOCKET_ACCESS_LOGS: 'off',
  });
});
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('names', () => {
  it('deploys stack topicsocket-sls-{stage} with table topicsocket-sls-{stage}, never the CDK app names', () => {
    const state = JSON.parse(readFileSync(join(prod.dir, 'serverless-state.json'), 'utf8'));
    expect(state.service.provider.stackName).toBe('topicsocket-sls-prod');
    expect(prod.template.Resources.TopicsocketTable!.Properties.TableName).toBe('topicsocket-sls-prod');
  });

  it('protects the retained prod table (deletion protection, point-in-time recovery); not dev', () => {
    const table = prod.template.Resources.TopicsocketTable!;
    expect(table.DeletionPolicy).toBe('Retain');
    expect(table.Properties).toMatchObject({
      DeletionProtectionEnabled: 'true',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: 'true' },
    });
    expect(iam.template.Resources.TopicsocketTable!.Properties.DeletionProtectionEnabled).toBe('false');
  });
});

describe('secrets', () => {
  it('writes no secret value into any packaged file, only the secret ARN', () => {
    for (const { dir } of [prod, iam]) {
      for (const file of readdirSync(dir)) {
        const text = readFileSync(join(dir, file)).toString('latin1');
        expect(text).not.toContain(secretValue);
        expect(text).not.toMatch(/"TOPICSOCKET_(JWT_SECRET|JWT_SECRET_PREVIOUS|API_KEYS)":"[^"]/);
      }
    }
    const env = (
      prod.template.Resources.WebsocketLambdaFunction!.Properties.Environment as {
        Variables: Record<string, unknown>;
      }
    ).Variables;
    expect(env.TOPICSOCKET_AUTH_SECRET_ARN).toBe(secretArn);
    expect(env.TOPICSOCKET_JWT_SECRET).toBeUndefined();
  });

  it('refuses to package with a secret in the deploy environment', async () => {
    await expect(packaged('dev', { TOPICSOCKET_JWT_SECRET: secretValue })).rejects.toThrow(
      /TOPICSOCKET_JWT_SECRET would be written into the template/,
    );
  });

  it('grants GetSecretValue on exactly that ARN, to the publish function only with keys', () => {
    const read = {
      Sid: 'TopicsocketAuthSecret',
      Effect: 'Allow',
      Action: ['secretsmanager:GetSecretValue'],
      Resource: [secretArn],
    };
    for (const role of ['TopicsocketFunctionRole', 'TopicsocketConnectAuthorizerRole']) {
      const statements = statementsOf(prod.template, role).filter((s) =>
        s.Sid?.startsWith('TopicsocketAuthSecret'),
      );
      expect(statements).toEqual([read]);
    }
    expect(
      statementsOf(prod.template, 'TopicsocketPublishRole').filter((s) => s.Sid === 'TopicsocketAuthSecret'),
    ).toEqual([read]);
    // IAM mode: no grant and not even the ARN for the publish function.
    expect(statementsOf(iam.template, 'TopicsocketPublishRole').map((s) => s.Sid)).not.toContain(
      'TopicsocketAuthSecret',
    );
    const publishEnv = (
      iam.template.Resources.PublishLambdaFunction!.Properties.Environment as {
        Variables: Record<string, unknown>;
      }
    ).Variables;
    expect(publishEnv.TOPICSOCKET_AUTH_SECRET_ARN).toBe('');
    expect(statementsOf(iam.template, 'TopicsocketFunctionRole').map((s) => s.Sid)).toContain(
      'TopicsocketAuthSecret',
    );
  });
});

describe('access logs and alarms', () => {
  it('logs both APIs to their own log groups; the WebSocket stage can be deployed without', () => {
    const ws = prod.template.Resources.WebsocketsDeploymentStage!.Properties.AccessLogSettings as {
      'Fn::If': [string, { Format: string; DestinationArn: unknown }, unknown];
    };
    expect(holds(prod.template, ws['Fn::If'][0])).toBe(true);
    expect(ws['Fn::If'][1]).toEqual({
      DestinationArn: { 'Fn::GetAtt': ['WebsocketsAccessLogGroup', 'Arn'] },
      Format: WebSocketAccessLogFormat,
    });
    expect(prod.template.Resources.HttpApiStage!.Properties.AccessLogSettings).toEqual({
      DestinationArn: { 'Fn::GetAtt': ['HttpApiAccessLogGroup', 'Arn'] },
      Format: HttpAccessLogFormat,
    });
    expect(prod.template.Resources.WebsocketsAccessLogGroup!.Properties.RetentionInDays).toBe(
      FunctionModel.logRetentionDays,
    );
    expect(holds(iam.template, 'WebSocketAccessLogs')).toBe(false);
    expect(iam.template.Resources.WebsocketsAccessLogGroup!.Condition).toBe('WebSocketAccessLogs');
  });

  it('deploys the model alarms on this stack functions, APIs and table, notifying the topic', () => {
    // The fan-out's own alarms (DLQ depth, worker errors: package.test.ts) notify the same topic.
    const all = Object.entries(prod.template.Resources).filter(
      ([, r]) => r.Type === 'AWS::CloudWatch::Alarm',
    );
    const fanoutAlarms = all.filter(([id]) => id.startsWith('TopicsocketFanout')).map(([, r]) => r);
    expect(fanoutAlarms).toHaveLength(2);
    for (const alarm of fanoutAlarms) {
      expect(JSON.stringify(alarm.Properties.AlarmActions)).toContain('topicsocket-alarms');
      expect(JSON.stringify(alarm.Properties.OKActions)).toContain('topicsocket-alarms');
    }
    const alarms = all.filter(([id]) => !id.startsWith('TopicsocketFanout')).map(([, r]) => r);
    const expected = alarmModels({
      functions: ['websocket', 'publish', 'connectAuthorizer'].map((label) => ({ label, name: label })),
      webSocketApiId: 'a',
      webSocketStage: 'prod',
      httpApiId: 'h',
      httpStage: '$default',
      tableName: 't',
    });
    expect(alarms.map((a) => `${a.Properties.Namespace}/${a.Properties.MetricName}`).sort()).toEqual(
      expected.map((a) => `${a.namespace}/${a.metricName}`).sort(),
    );
    const dimensions = JSON.stringify(alarms.map((a) => a.Properties.Dimensions));
    for (const id of [
      'WebsocketLambdaFunction',
      'PublishLambdaFunction',
      'ConnectAuthorizerLambdaFunction',
      'WebsocketsApi',
      'HttpApi',
      'TopicsocketTable',
    ]) {
      expect(dimensions).toContain(`{"Ref":"${id}"}`);
    }
    expect(holds(prod.template, 'HasAlarmTopic')).toBe(true);
    expect(JSON.stringify(alarms[0]!.Properties.AlarmActions)).toContain('topicsocket-alarms');
  });
});

describe('cfn-lint', () => {
  it.skipIf(!cfnLintAvailable)(
    'finds no error in the packaged templates (skipped where cfn-lint is absent)',
    () => {
      for (const { dir } of [prod, iam]) {
        expect(cfnLintErrors(join(dir, 'cloudformation-template-update-stack.json'))).toEqual([]);
      }
    },
  );
});
