/**
 * The model's production defaults: per-tool names, protected retained tables, secrets only by ARN (and IAM
 * on exactly that ARN), access log formats without tokens, and the alarms both tools deploy.
 */
import { describe, expect, it, vi } from 'vitest';
import { loadAwsRuntimeConfig } from '../../../src/runtimes/aws/config.ts';
import { EmfMetrics } from '../../../src/runtimes/aws/powertools-metrics.ts';
import {
  AlarmTopicVariable,
  AppMetrics,
  AuthSecretEnvironment,
  AuthSecretKmsKeyVariable,
  alarmModels,
  authorizerEnvironment,
  authSecretModel,
  authSecretStatements,
  authWarning,
  FunctionModel,
  functionEnvironment,
  HttpAccessLogFormat,
  plainSecretProblem,
  publishFunctionEnvironment,
  resourceName,
  stackModel,
  tableModel,
  WebSocketAccessLogFormat,
  webSocketAccessLogMode,
} from '../index.ts';

const secretArn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:topicsocket/prod-auth-AbCdEf';
const parameterArn = 'arn:aws:ssm:eu-west-1:123456789012:parameter/topicsocket/prod/auth';
const keyArn = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';

describe('names', () => {
  it('gives each tool its own stack and table name, so neither collides with the other', () => {
    expect(resourceName('cdk', 'prod')).toBe('topicsocket-cdk-prod');
    expect(resourceName('serverless', 'prod')).toBe('topicsocket-sls-prod');
    expect(tableModel('cdk', 'prod').name).not.toBe(tableModel('serverless', 'prod').name);
    expect(stackModel({ stage: 'dev', tool: 'serverless' }).table.name).toBe('topicsocket-sls-dev');
  });

  it('protects a retained table against deletion, and can use an existing one by name', () => {
    expect(tableModel('cdk', 'prod')).toMatchObject({
      retainOnDelete: true,
      deletionProtection: true,
      existing: false,
    });
    expect(tableModel('cdk', 'dev')).toMatchObject({ retainOnDelete: false, deletionProtection: false });
    expect(stackModel({ stage: 'prod', existingTableName: 'topicsocket-cdk-prod' }).table).toMatchObject({
      name: 'topicsocket-cdk-prod',
      existing: true,
    });
    expect(() => stackModel({ stage: 'prod', existingTableName: 'no spaces' })).toThrow(/table name/);
  });
});

describe('secrets', () => {
  it('refuses secrets in the deploy environment, since they would be written into the template', () => {
    for (const name of [
      'TOPICSOCKET_JWT_SECRET',
      'TOPICSOCKET_JWT_SECRET_PREVIOUS',
      'TOPICSOCKET_API_KEYS',
    ]) {
      expect(() => stackModel({ stage: 'dev', auth: { [name]: 'x'.repeat(40) } })).toThrow(
        new RegExp(`${name} would be written into the template`),
      );
    }
    expect(plainSecretProblem({ TOPICSOCKET_JWKS_URL: 'https://idp/jwks' })).toBeUndefined();
  });

  it('reads the source from the deploy environment: one full ARN, an optional customer-managed key', () => {
    expect(authSecretModel({})).toEqual({ source: { kind: 'none' } });
    expect(authSecretModel({ [AuthSecretEnvironment.secretArn]: secretArn })).toEqual({
      source: { kind: 'secrets-manager', arn: secretArn },
    });
    expect(
      authSecretModel({
        [AuthSecretEnvironment.parameterArn]: parameterArn,
        [AuthSecretKmsKeyVariable]: keyArn,
      }),
    ).toEqual({ source: { kind: 'ssm', arn: parameterArn }, kmsKeyArn: keyArn });
    expect(() => authSecretModel({ [AuthSecretEnvironment.secretArn]: 'my-secret' })).toThrow(/full/);
    expect(() => authSecretModel({ [AuthSecretKmsKeyVariable]: keyArn })).toThrow(/without/);
    expect(() =>
      authSecretModel({
        [AuthSecretEnvironment.secretArn]: secretArn,
        [AuthSecretKmsKeyVariable]: 'alias/x',
      }),
    ).toThrow(/KMS key ARN/);
  });

  it('grants the one read on exactly that ARN, kms:Decrypt only with a customer-managed key', () => {
    expect(authSecretStatements({ source: { kind: 'none' } })).toEqual([]);
    expect(authSecretStatements({ source: { kind: 'secrets-manager', arn: secretArn } })).toEqual([
      { sid: 'TopicsocketAuthSecret', actions: ['secretsmanager:GetSecretValue'], resources: [secretArn] },
    ]);
    expect(authSecretStatements({ source: { kind: 'ssm', arn: parameterArn }, kmsKeyArn: keyArn })).toEqual([
      { sid: 'TopicsocketAuthSecret', actions: ['ssm:GetParameter'], resources: [parameterArn] },
      { sid: 'TopicsocketAuthSecretKey', actions: ['kms:Decrypt'], resources: [keyArn] },
    ]);
  });

  it('hands the functions the ARN only, and the publish function not even that in iam mode', () => {
    const authSecret = { source: { kind: 'secrets-manager', arn: secretArn } } as const;
    expect(functionEnvironment('t', 'https://e', {}, authSecret)).toMatchObject({
      TOPICSOCKET_AUTH_SECRET_ARN: secretArn,
    });
    expect(authorizerEnvironment({}, authSecret)).toMatchObject({ TOPICSOCKET_AUTH_SECRET_ARN: secretArn });
    expect(
      publishFunctionEnvironment('t', 'https://e', {}, 'iam', authSecret).TOPICSOCKET_AUTH_SECRET_ARN,
    ).toBeUndefined();
    expect(
      publishFunctionEnvironment('t', 'https://e', {}, 'keys', authSecret).TOPICSOCKET_AUTH_SECRET_ARN,
    ).toBe(secretArn);
    expect(authWarning({}, true)).toBeUndefined();
    expect(() => stackModel({ stage: 'dev', connectAuth: 'authorizer', authSecret })).not.toThrow();
  });
});

describe('runtime, access logs, alarms', () => {
  it('runs the current Node.js Lambda runtime', () => {
    expect(FunctionModel.runtime).toBe('nodejs24.x');
  });

  it('logs one JSON line per request with ids, route and status, and never a query string or header', () => {
    for (const format of [WebSocketAccessLogFormat, HttpAccessLogFormat]) {
      const fields = JSON.parse(format) as Record<string, string>;
      expect(fields.requestId).toBe('$context.requestId');
      expect(fields.status).toBe('$context.status');
      expect(format).not.toMatch(/querystring|header|authorizer\.claims|token/i);
    }
    expect(JSON.parse(WebSocketAccessLogFormat).connectionId).toBe('$context.connectionId');
    expect(webSocketAccessLogMode(undefined)).toBe('on');
    expect(() => webSocketAccessLogMode('yes')).toThrow(/TOPICSOCKET_WEBSOCKET_ACCESS_LOGS/);
  });

  it('alarms on function errors and throttles, API 5xx, table throttles and fan-out failures', () => {
    const alarms = alarmModels({
      functions: [
        { label: 'websocket', name: 'fn-ws' },
        { label: 'publish', name: 'fn-pub' },
      ],
      webSocketApiId: 'ws1',
      webSocketStage: 'prod',
      httpApiId: 'http1',
      httpStage: '$default',
      tableName: 'topicsocket-cdk-prod',
    });
    expect(
      alarms.map((alarm) => `${alarm.namespace} ${alarm.metricName} ${JSON.stringify(alarm.dimensions)}`),
    ).toEqual([
      'AWS/Lambda Errors {"FunctionName":"fn-ws"}',
      'AWS/Lambda Throttles {"FunctionName":"fn-ws"}',
      'AWS/Lambda Errors {"FunctionName":"fn-pub"}',
      'AWS/Lambda Throttles {"FunctionName":"fn-pub"}',
      'AWS/ApiGateway IntegrationError {"ApiId":"ws1","Stage":"prod"}',
      'AWS/ApiGateway ExecutionError {"ApiId":"ws1","Stage":"prod"}',
      'AWS/ApiGateway 5xx {"ApiId":"http1","Stage":"$default"}',
      'AWS/DynamoDB ReadThrottleEvents {"TableName":"topicsocket-cdk-prod"}',
      'AWS/DynamoDB WriteThrottleEvents {"TableName":"topicsocket-cdk-prod"}',
      'topicsocket failedDeliveries {"service":"topicsocket"}',
    ]);
    expect(new Set(alarms.map((alarm) => alarm.id)).size).toBe(alarms.length);
    expect(() => stackModel({ stage: 'dev', alarmTopicArn: 'not-an-arn' })).toThrow(/SNS/);
    expect(AlarmTopicVariable).toBe('TOPICSOCKET_ALARM_TOPIC_ARN');
  });

  it('watches the fan-out metric under the namespace and dimension the deployed functions emit it with', () => {
    const written: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    try {
      const config = loadAwsRuntimeConfig({ TOPICSOCKET_TABLE: 'topicsocket-cdk-prod' });
      const metrics = new EmfMetrics({ namespace: config.metricsNamespace });
      metrics.count(AppMetrics.fanOutFailures, 2);
      metrics.flush();
    } finally {
      spy.mockRestore();
    }
    const emf = JSON.parse(written.join('').trim().split('\n').pop()!);
    const [directive] = emf._aws.CloudWatchMetrics;
    expect(directive.Namespace).toBe(AppMetrics.namespace);
    expect(directive.Dimensions).toEqual([['service']]);
    expect(emf.service).toBe(AppMetrics.service);
    expect(directive.Metrics.map((m: { Name: string }) => m.Name)).toEqual([AppMetrics.fanOutFailures]);
  });
});
