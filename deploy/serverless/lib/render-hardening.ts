/**
 * The production pieces of the Serverless rendering, each from deploy/model: reading the auth secret (IAM
 * conditional on the deployer having named one, since one generated serverless.yml serves every
 * configuration), access logs on both APIs, and the model's alarms. render-service.ts places them.
 */
import {
  AccessLogModes,
  AccessLogRetentionDays,
  AlarmTopicVariable,
  AuthorizerFunctionModel,
  AuthSecretEnvironment,
  AuthSecretKmsKeyVariable,
  alarmModels,
  authSecretKeyStatement,
  authSecretReadStatement,
  FunctionModel,
  HttpAccessLogFormat,
  type PolicyStatementModel,
  PublishFunctionModel,
  WebSocketAccessLogFormat,
  WebSocketAccessLogsVariable,
} from '../../model/index.ts';
import { ref, toCloudFormation } from './cloudformation-refs.ts';
import type { YamlValue } from './yaml.ts';

/** A Serverless Framework variable, `${expression}`: resolved by the framework, not by JavaScript. */
export function variable(expression: string): string {
  return `$${'{'}${expression}}`;
}

const deployEnv = (name: string, fallback = "''") => variable(`env:${name}, ${fallback}`);
const noValue = { Ref: 'AWS::NoValue' };

export const ConditionIds = {
  authSecret: 'HasAuthSecret',
  authParameter: 'HasAuthParameter',
  authSecretKey: 'HasAuthSecretKey',
  publishReadsKeys: 'PublishChecksKeys',
  webSocketAccessLogs: 'WebSocketAccessLogs',
  alarmTopic: 'HasAlarmTopic',
} as const;

const isSet = (value: string): YamlValue => ({ 'Fn::Not': [{ 'Fn::Equals': [value, ''] }] });

/** CloudFormation conditions on deploy-time settings (resolved by the framework before CloudFormation). */
export function hardeningConditions(publishAuth: string): Record<string, YamlValue> {
  return {
    [ConditionIds.authSecret]: isSet(deployEnv(AuthSecretEnvironment.secretArn)),
    [ConditionIds.authParameter]: isSet(deployEnv(AuthSecretEnvironment.parameterArn)),
    [ConditionIds.authSecretKey]: isSet(deployEnv(AuthSecretKmsKeyVariable)),
    [ConditionIds.publishReadsKeys]: { 'Fn::Equals': [publishAuth, 'keys'] },
    [ConditionIds.webSocketAccessLogs]: {
      'Fn::Equals': [
        variable(`self:custom.topicsocket.accessLogModes.${deployEnv(WebSocketAccessLogsVariable, "'on'")}`),
        'on',
      ],
    },
    [ConditionIds.alarmTopic]: isSet(deployEnv(AlarmTopicVariable)),
  };
}

/** custom.topicsocket entries the variables above look up (an unknown mode fails the deploy). */
export const hardeningCustom = {
  accessLogModes: Object.fromEntries(AccessLogModes.map((mode) => [mode, mode])),
};

/** The secret-source variables every function may get: the ARNs only. */
export function authSecretVariables(): Record<string, string> {
  return Object.fromEntries(
    [AuthSecretEnvironment.secretArn, AuthSecretEnvironment.parameterArn].map((name) => [
      name,
      deployEnv(name),
    ]),
  );
}

/** In `iam` mode the publish function gets no secret source at all (custom lookup on the mode). */
export function publishAuthSecretVariables(publishAuth: string): Record<string, string> {
  return Object.fromEntries(
    [AuthSecretEnvironment.secretArn, AuthSecretEnvironment.parameterArn].map((name) => [
      name,
      variable(`self:custom.topicsocket.publishSecretSource.${publishAuth}.${name}`),
    ]),
  );
}

export function publishSecretSourceCustom(): Record<string, YamlValue> {
  return {
    iam: { [AuthSecretEnvironment.secretArn]: '', [AuthSecretEnvironment.parameterArn]: '' },
    keys: authSecretVariables(),
  };
}

function statementValue(statement: PolicyStatementModel): YamlValue {
  return {
    Sid: statement.sid,
    Effect: 'Allow',
    Action: [...statement.actions],
    Resource: statement.resources.map(toCloudFormation),
  };
}

/**
 * The model's secret statements for either source, each present only when its variable is set (and, for the
 * publish function, only in `keys` mode).
 */
export function authSecretStatementValues(forPublish: boolean): YamlValue[] {
  // In a statement whose condition is false the unset variable would be an empty, invalid ARN (cfn-lint
  // checks both branches): a placeholder ARN there, never granted since the statement is dropped.
  const unset = (kind: string) => `'arn:aws:${kind}:us-east-1:000000000000:topicsocket-auth-unset'`;
  const kms = deployEnv(AuthSecretKmsKeyVariable, unset('kms'));
  const sources: [string, PolicyStatementModel][] = [
    [
      ConditionIds.authSecret,
      authSecretReadStatement({
        kind: 'secrets-manager',
        arn: deployEnv(AuthSecretEnvironment.secretArn, unset('secretsmanager')),
      }),
    ],
    [
      ConditionIds.authParameter,
      authSecretReadStatement({
        kind: 'ssm',
        arn: deployEnv(AuthSecretEnvironment.parameterArn, unset('ssm')),
      }),
    ],
    [ConditionIds.authSecretKey, authSecretKeyStatement(kms)],
  ];
  return sources.map(([condition, statement]) => {
    const when = { 'Fn::If': [condition, statementValue(statement), noValue] };
    return forPublish ? { 'Fn::If': [ConditionIds.publishReadsKeys, when, noValue] } : when;
  });
}

export const AccessLogGroupIds = {
  webSocket: 'WebsocketsAccessLogGroup',
  http: 'HttpApiAccessLogGroup',
} as const;

export function accessLogResources(serviceStage: string): Record<string, YamlValue> {
  return {
    [AccessLogGroupIds.webSocket]: {
      Type: 'AWS::Logs::LogGroup',
      Condition: ConditionIds.webSocketAccessLogs,
      Properties: {
        LogGroupName: `/aws/apigateway/${serviceStage}-websocket-access`,
        RetentionInDays: AccessLogRetentionDays,
      },
    },
    [AccessLogGroupIds.http]: {
      Type: 'AWS::Logs::LogGroup',
      Properties: {
        LogGroupName: `/aws/apigateway/${serviceStage}-publish-access`,
        RetentionInDays: AccessLogRetentionDays,
      },
    },
  };
}

export function webSocketAccessLogSettings(): YamlValue {
  return {
    'Fn::If': [
      ConditionIds.webSocketAccessLogs,
      {
        DestinationArn: { 'Fn::GetAtt': [AccessLogGroupIds.webSocket, 'Arn'] },
        Format: WebSocketAccessLogFormat,
      },
      noValue,
    ],
  };
}

export function httpAccessLogSettings(): YamlValue {
  return { DestinationArn: { 'Fn::GetAtt': [AccessLogGroupIds.http, 'Arn'] }, Format: HttpAccessLogFormat };
}

/**
 * The SNS topic of `TOPICSOCKET_ALARM_TOPIC_ARN` as an alarm's actions, or none: every alarm of the service
 * (these and the fan-out's, render-fanout.ts) notifies the same topic.
 */
export function alarmTopicActions(): YamlValue {
  // A placeholder in the branch that is dropped when no topic is named (cfn-lint checks both branches).
  const topic = deployEnv(
    AlarmTopicVariable,
    "'arn:aws:sns:us-east-1:000000000000:topicsocket-alarms-unset'",
  );
  return { 'Fn::If': [ConditionIds.alarmTopic, [topic], noValue] };
}

/** The model's alarms on the framework's own logical ids. */
export function alarmResources(ids: {
  functions: Record<string, string>;
  webSocketApi: string;
  httpApi: string;
  table: string;
  stage: string;
}): Record<string, YamlValue> {
  const actions = alarmTopicActions();
  const functions = [FunctionModel, PublishFunctionModel, AuthorizerFunctionModel].map((spec) => ({
    label: spec.name,
    name: ref(ids.functions[spec.name]!),
  }));
  const alarms = alarmModels({
    functions,
    webSocketApiId: ref(ids.webSocketApi),
    webSocketStage: ids.stage,
    httpApiId: ref(ids.httpApi),
    httpStage: '$default',
    tableName: ref(ids.table),
  });
  return Object.fromEntries(
    alarms.map((alarm) => [
      `${alarm.id}Alarm`,
      {
        Type: 'AWS::CloudWatch::Alarm',
        Properties: {
          AlarmDescription: alarm.description,
          Namespace: alarm.namespace,
          MetricName: alarm.metricName,
          Dimensions: Object.entries(alarm.dimensions).map(([Name, value]) => ({
            Name,
            Value: toCloudFormation(value),
          })),
          Statistic: alarm.statistic,
          Period: alarm.periodSeconds,
          EvaluationPeriods: alarm.evaluationPeriods,
          Threshold: alarm.threshold,
          ComparisonOperator: alarm.comparison,
          TreatMissingData: alarm.treatMissingData,
          AlarmActions: actions,
          OKActions: actions,
        },
      },
    ]),
  );
}
