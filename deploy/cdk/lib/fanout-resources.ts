/**
 * The sharded fan-out's resources in CDK's spelling, from deploy/model/fanout.ts: the shard queue and its
 * DLQ (redrive after maxReceiveCount), the worker function fed by an event source mapping with partial batch
 * responses and a maximum concurrency, the alarms, and the publishing functions' right to enqueue.
 */
import { CfnOutput, Duration, type Stack } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { EventSourceMapping, type IFunction } from 'aws-cdk-lib/aws-lambda';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import {
  type ArnReferences,
  FanoutAlarms,
  FanoutOutputNames,
  FanoutQueueModel,
  FanoutQueueUrlVariable,
  type FunctionSpec,
  fanoutSendStatement,
  type PolicyStatementModel,
  type StackModel,
  WorkerFunctionModel,
  workerEnvironment,
  workerPolicyStatements,
} from '../../model/index.ts';

export interface FanoutProps {
  model: StackModel;
  refs: ArnReferences;
  tableName: string;
  managementEndpoint: string;
  /** The functions that publish (and so may enqueue shards). */
  publishers: readonly NodejsFunction[];
  /** The stack's own function factory (its role holds exactly `statements` plus its log group). */
  bundle: (
    id: string,
    spec: FunctionSpec,
    environment: Record<string, string>,
    statements: readonly PolicyStatementModel[],
  ) => NodejsFunction;
}

export function addFanout(
  stack: Stack,
  props: FanoutProps,
): { queue: Queue; deadLetters: Queue; worker: IFunction; alarms: Alarm[] } {
  const deadLetters = new Queue(stack, 'FanoutDeadLetterQueue', {
    retentionPeriod: Duration.seconds(FanoutQueueModel.deadLetterRetentionSeconds),
    enforceSSL: true,
  });
  const queue = new Queue(stack, 'FanoutQueue', {
    visibilityTimeout: Duration.seconds(FanoutQueueModel.visibilityTimeoutSeconds),
    retentionPeriod: Duration.seconds(FanoutQueueModel.messageRetentionSeconds),
    deadLetterQueue: { queue: deadLetters, maxReceiveCount: FanoutQueueModel.maxReceiveCount },
    enforceSSL: true,
  });
  const worker = props.bundle(
    'FanoutWorker',
    WorkerFunctionModel,
    workerEnvironment(props.tableName, props.managementEndpoint, queue.queueUrl),
    workerPolicyStatements(props.model.table, props.refs, queue.queueArn),
  );
  // The L2 mapping, not `addEventSource`: that one grants consume actions the worker never uses.
  new EventSourceMapping(stack, 'FanoutWorkerEventSource', {
    target: worker,
    eventSourceArn: queue.queueArn,
    batchSize: FanoutQueueModel.batchSize,
    maxConcurrency: FanoutQueueModel.maximumConcurrency,
    reportBatchItemFailures: FanoutQueueModel.functionResponseTypes.includes('ReportBatchItemFailures'),
  });
  const send = fanoutSendStatement(queue.queueArn);
  for (const publisher of props.publishers) {
    publisher.addEnvironment(FanoutQueueUrlVariable, queue.queueUrl);
    publisher.role?.addToPrincipalPolicy(
      new PolicyStatement({ sid: send.sid, actions: [...send.actions], resources: [...send.resources] }),
    );
  }
  const alarm = (
    id: string,
    spec: (typeof FanoutAlarms)[keyof typeof FanoutAlarms],
    dimensions: Record<string, string>,
  ) =>
    new Alarm(stack, id, {
      metric: new Metric({
        namespace: spec.namespace,
        metricName: spec.metricName,
        dimensionsMap: dimensions,
        statistic: spec.statistic,
        period: Duration.seconds(spec.periodSeconds),
      }),
      threshold: spec.threshold,
      evaluationPeriods: spec.evaluationPeriods,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  const alarms = [
    alarm('FanoutDeadLetterAlarm', FanoutAlarms.deadLetters, { QueueName: deadLetters.queueName }),
    alarm('FanoutWorkerErrorsAlarm', FanoutAlarms.workerErrors, { FunctionName: worker.functionName }),
  ];
  new CfnOutput(stack, FanoutOutputNames.queueUrl, { value: queue.queueUrl });
  new CfnOutput(stack, FanoutOutputNames.deadLetterQueueUrl, {
    value: deadLetters.queueUrl,
    description: 'Shards that failed maxReceiveCount times (alarmed); redrive them after fixing the cause',
  });
  return { queue, deadLetters, worker, alarms };
}
