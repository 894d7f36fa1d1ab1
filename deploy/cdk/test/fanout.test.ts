/**
 * The sharded fan-out in the CDK template, as deploy/model/fanout.ts says: queue and DLQ with a redrive
 * policy and a visibility timeout of at least six worker timeouts, the event source mapping (batch size,
 * maximum concurrency, ReportBatchItemFailures), alarms on DLQ depth and worker errors, and least-privilege
 * IAM (publishers may only send to the queue; the worker reads the table, posts, and consumes the queue).
 */
import type { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FanoutQueueModel,
  FanoutQueueUrlVariable,
  WorkerFunctionModel,
  WorkerQueueActions,
  WorkerTableActions,
} from '../../model/index.ts';
import { removeSynthOutputs, synthesize } from './synth-fixture.ts';

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;
interface Statement {
  Sid?: string;
  Action: string | string[];
  Resource: unknown;
}

let template: Template;
let resources: Resources;
beforeAll(() => {
  ({ template } = synthesize({ stage: 'dev', skipBundling: true }));
  resources = template.toJSON().Resources as Resources;
});
afterAll(removeSynthOutputs);

const asList = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);
const ofType = (type: string) => Object.entries(resources).filter(([, resource]) => resource.Type === type);
const idOf = (type: string, constructId: string): string => {
  const matches = ofType(type).filter(([id]) => new RegExp(`^${constructId}[0-9A-F]{8}$`).test(id));
  expect(matches).toHaveLength(1);
  return (matches[0] as [string, unknown])[0];
};
const props = (id: string) => resources[id]?.Properties ?? {};
const statementsOf = (functionConstructId: string): Statement[] =>
  (
    props(idOf('AWS::IAM::Policy', `${functionConstructId}RoleDefaultPolicy`)).PolicyDocument as {
      Statement: Statement[];
    }
  ).Statement;
const queueArn = () => ({ 'Fn::GetAtt': [idOf('AWS::SQS::Queue', 'FanoutQueue'), 'Arn'] });

describe('sharded fan-out resources (CDK)', () => {
  it('has the shard queue with a redrive policy to its DLQ and a visibility timeout of 6x the worker timeout', () => {
    expect(ofType('AWS::SQS::Queue')).toHaveLength(2);
    const queue = props(idOf('AWS::SQS::Queue', 'FanoutQueue'));
    expect(queue.VisibilityTimeout).toBe(6 * WorkerFunctionModel.timeoutSeconds);
    expect(queue.MessageRetentionPeriod).toBe(FanoutQueueModel.messageRetentionSeconds);
    expect(queue.RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': [idOf('AWS::SQS::Queue', 'FanoutDeadLetterQueue'), 'Arn'] },
      maxReceiveCount: FanoutQueueModel.maxReceiveCount,
    });
    expect(props(idOf('AWS::SQS::Queue', 'FanoutDeadLetterQueue')).MessageRetentionPeriod).toBe(1_209_600);
  });

  it('feeds the worker through an event source mapping with partial batch responses and a concurrency cap', () => {
    const mappings = ofType('AWS::Lambda::EventSourceMapping');
    expect(mappings).toHaveLength(1);
    expect(mappings[0]?.[1].Properties).toMatchObject({
      EventSourceArn: queueArn(),
      FunctionName: { Ref: idOf('AWS::Lambda::Function', 'FanoutWorker') },
      BatchSize: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: FanoutQueueModel.maximumConcurrency },
    });
    const worker = props(idOf('AWS::Lambda::Function', 'FanoutWorker'));
    expect(worker.Timeout).toBe(WorkerFunctionModel.timeoutSeconds);
    expect(worker.Handler).toBe('index.handler');
    const variables = (worker.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(variables[FanoutQueueUrlVariable]).toEqual({ Ref: idOf('AWS::SQS::Queue', 'FanoutQueue') });
  });

  it('alarms on any message in the DLQ and on any worker error', () => {
    // Beside the stack's own alarms (deploy/model/alarms.ts, asserted in hardening.test.ts).
    const alarms = ofType('AWS::CloudWatch::Alarm')
      .filter(([id]) => id.startsWith('Fanout'))
      .map(([, alarm]) => alarm.Properties ?? {});
    expect(alarms).toHaveLength(2);
    expect(alarms).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Namespace: 'AWS/SQS',
          MetricName: 'ApproximateNumberOfMessagesVisible',
          Threshold: 0,
          ComparisonOperator: 'GreaterThanThreshold',
          Dimensions: [
            {
              Name: 'QueueName',
              Value: { 'Fn::GetAtt': [idOf('AWS::SQS::Queue', 'FanoutDeadLetterQueue'), 'QueueName'] },
            },
          ],
        }),
        expect.objectContaining({
          Namespace: 'AWS/Lambda',
          MetricName: 'Errors',
          Threshold: 0,
          Dimensions: [
            { Name: 'FunctionName', Value: { Ref: idOf('AWS::Lambda::Function', 'FanoutWorker') } },
          ],
        }),
      ]),
    );
  });

  it('lets the WebSocket and publish functions only send to the shard queue, and tells them its URL', () => {
    for (const construct of ['Function', 'PublishFunction']) {
      const sqs = statementsOf(construct).filter((s) => asList(s.Action).some((a) => a.startsWith('sqs:')));
      expect(sqs).toEqual([expect.objectContaining({ Action: 'sqs:SendMessage', Resource: queueArn() })]);
      const variables = (
        props(idOf('AWS::Lambda::Function', construct)).Environment as { Variables: Record<string, unknown> }
      ).Variables;
      expect(variables[FanoutQueueUrlVariable]).toEqual({ Ref: idOf('AWS::SQS::Queue', 'FanoutQueue') });
    }
  });

  it('grants the worker exactly its table, @connections POST and queue actions', () => {
    const statements = statementsOf('FanoutWorker');
    const table = statements.find((s) => asList(s.Action).some((a) => a.startsWith('dynamodb:')));
    expect(asList(table?.Action ?? []).sort()).toEqual([...WorkerTableActions].sort());
    const queue = statements.find((s) => asList(s.Action).some((a) => a.startsWith('sqs:')));
    expect(asList(queue?.Action ?? []).sort()).toEqual([...WorkerQueueActions].sort());
    expect(queue?.Resource).toEqual(queueArn());
    const connections = statements.find((s) => asList(s.Action).includes('execute-api:ManageConnections'));
    expect(JSON.stringify(connections?.Resource)).toContain('/dev/POST/@connections/*');
    expect(JSON.stringify(connections?.Resource)).not.toContain('DELETE');
    expect(statements.map((s) => s.Sid).sort()).toEqual(
      [
        'TopicsocketLogs',
        'TopicsocketWorkerConnections',
        'TopicsocketWorkerQueue',
        'TopicsocketWorkerTable',
      ].sort(),
    );
  });
});
