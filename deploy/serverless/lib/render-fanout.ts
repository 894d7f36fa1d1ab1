/**
 * The sharded fan-out (deploy/model/fanout.ts) in the Serverless service: the worker function with its
 * `sqs` event (batch size, maximum concurrency, ReportBatchItemFailures), the shard queue and its DLQ
 * (redrive policy), the worker's role, and the alarms. render-service.ts mounts these.
 */
import {
  type ArnReferences,
  AuthVariableNames,
  FanoutAlarms,
  FanoutQueueModel,
  type PolicyStatementModel,
  ServiceName,
  type TableModel,
  WorkerFunctionModel,
  workerPolicyStatements,
} from '../../model/index.ts';
import { getAtt } from './cloudformation-refs.ts';
import { alarmTopicActions } from './render-hardening.ts';
import type { YamlValue } from './yaml.ts';

export const WorkerEntryFile = 'worker-entry.ts';

/** The stage serverless-offline runs (test/serverless-offline.ts, scripts/offline.ts): it emulates no SQS. */
export const OfflineStage = 'local';

export const FanoutIds = {
  queue: 'TopicsocketFanoutQueue',
  deadLetterQueue: 'TopicsocketFanoutDeadLetterQueue',
  workerRole: 'TopicsocketWorkerRole',
  deadLetterAlarm: 'TopicsocketFanoutDeadLetterAlarm',
  workerErrorsAlarm: 'TopicsocketFanoutWorkerErrorsAlarm',
  /** The framework's names for the worker (serverless/lib/plugins/aws/lib/naming.js). */
  workerFunction: 'FanoutWorkerLambdaFunction',
  workerLogGroup: 'FanoutWorkerLogGroup',
} as const;

export function workerFunction(handler: string): YamlValue {
  return {
    handler,
    role: FanoutIds.workerRole,
    memorySize: WorkerFunctionModel.memoryMb,
    timeout: WorkerFunctionModel.timeoutSeconds,
    // The provider environment is every function's; the worker reads no auth setting, so none reaches it.
    environment: Object.fromEntries(AuthVariableNames.map((name) => [name, ''])),
    events: [
      {
        sqs: {
          arn: { 'Fn::GetAtt': [FanoutIds.queue, 'Arn'] },
          batchSize: FanoutQueueModel.batchSize,
          maximumConcurrency: FanoutQueueModel.maximumConcurrency,
          functionResponseType: FanoutQueueModel.functionResponseTypes[0],
        },
      },
    ],
  };
}

type Role = (
  policyName: string,
  statements: readonly PolicyStatementModel[],
  logGroupId: string,
) => YamlValue;

function alarm(spec: (typeof FanoutAlarms)[keyof typeof FanoutAlarms], dimension: YamlValue): YamlValue {
  return {
    Type: 'AWS::CloudWatch::Alarm',
    Properties: {
      Namespace: spec.namespace,
      MetricName: spec.metricName,
      Dimensions: [dimension],
      Statistic: spec.statistic,
      Period: spec.periodSeconds,
      EvaluationPeriods: spec.evaluationPeriods,
      Threshold: spec.threshold,
      ComparisonOperator: spec.comparisonOperator,
      TreatMissingData: 'notBreaching',
      AlarmActions: alarmTopicActions(),
      OKActions: alarmTopicActions(),
    },
  };
}

export function fanoutResources(
  table: TableModel,
  refs: ArnReferences,
  stage: string,
  functionRole: Role,
): Record<string, YamlValue> {
  return {
    [FanoutIds.deadLetterQueue]: {
      Type: 'AWS::SQS::Queue',
      Properties: { MessageRetentionPeriod: FanoutQueueModel.deadLetterRetentionSeconds },
    },
    [FanoutIds.queue]: {
      Type: 'AWS::SQS::Queue',
      Properties: {
        VisibilityTimeout: FanoutQueueModel.visibilityTimeoutSeconds,
        MessageRetentionPeriod: FanoutQueueModel.messageRetentionSeconds,
        RedrivePolicy: {
          deadLetterTargetArn: { 'Fn::GetAtt': [FanoutIds.deadLetterQueue, 'Arn'] },
          maxReceiveCount: FanoutQueueModel.maxReceiveCount,
        },
      },
    },
    [FanoutIds.workerRole]: functionRole(
      `${ServiceName}-${stage}-fanout-worker`,
      workerPolicyStatements(table, refs, getAtt(FanoutIds.queue, 'Arn')),
      FanoutIds.workerLogGroup,
    ),
    [FanoutIds.deadLetterAlarm]: alarm(FanoutAlarms.deadLetters, {
      Name: 'QueueName',
      Value: { 'Fn::GetAtt': [FanoutIds.deadLetterQueue, 'QueueName'] },
    }),
    [FanoutIds.workerErrorsAlarm]: alarm(FanoutAlarms.workerErrors, {
      Name: 'FunctionName',
      Value: { Ref: FanoutIds.workerFunction },
    }),
  };
}
