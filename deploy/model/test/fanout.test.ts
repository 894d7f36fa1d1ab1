/**
 * The sharded fan-out's model: the numbers AWS requires of an SQS event source, and the least privilege of
 * each function, before any deploy tool renders them.
 */
import { describe, expect, it } from 'vitest';
import { defaultShardingSettings } from '../../../src/core/sharding/settings.ts';
import { TableActions } from '../../../src/stores/dynamodb/table-design.ts';
import {
  type ArnReferences,
  FanoutQueueModel,
  fanoutSendStatement,
  stackModel,
  WorkerFunctionModel,
  WorkerTableActions,
  workerEnvironment,
  workerPolicyStatements,
} from '../index.ts';

const refs: ArnReferences = {
  partition: 'aws',
  region: 'eu-west-1',
  account: '123456789012',
  tableArn: 'arn:aws:dynamodb:eu-west-1:123456789012:table/topicsocket-dev',
  apiId: 'abc123',
  stage: 'dev',
};
const queueArn = 'arn:aws:sqs:eu-west-1:123456789012:fanout';

describe('sharded fan-out model', () => {
  it('sets the visibility timeout to at least six worker timeouts, and keeps markers longer than messages', () => {
    expect(FanoutQueueModel.visibilityTimeoutSeconds).toBeGreaterThanOrEqual(
      6 * WorkerFunctionModel.timeoutSeconds,
    );
    expect(FanoutQueueModel.messageRetentionSeconds).toBeLessThan(defaultShardingSettings.markerTtlSeconds);
    // The worker's budget (timeout less slack and reserve) leaves room to post.
    expect(
      WorkerFunctionModel.timeoutSeconds * 1000 - 1000 - defaultShardingSettings.reserveMs,
    ).toBeGreaterThan(20_000);
    expect(FanoutQueueModel.maximumConcurrency).toBeGreaterThanOrEqual(2);
    expect(FanoutQueueModel.maximumConcurrency).toBeLessThanOrEqual(1000);
    expect(FanoutQueueModel.functionResponseTypes).toEqual(['ReportBatchItemFailures']);
  });

  it('grants the worker a subset of the table actions, POST on @connections and its queue only', () => {
    expect(WorkerTableActions.every((action) => (TableActions as readonly string[]).includes(action))).toBe(
      true,
    );
    const table = stackModel({ stage: 'dev' }).table;
    const statements = workerPolicyStatements(table, refs, queueArn);
    expect(statements.map((s) => s.sid)).toEqual([
      'TopicsocketWorkerTable',
      'TopicsocketWorkerConnections',
      'TopicsocketWorkerQueue',
    ]);
    expect(statements[1]?.resources).toEqual([
      'arn:aws:execute-api:eu-west-1:123456789012:abc123/dev/POST/@connections/*',
    ]);
    expect(statements[2]?.resources).toEqual([queueArn]);
    expect(fanoutSendStatement(queueArn)).toEqual({
      sid: 'TopicsocketFanoutSend',
      actions: ['sqs:SendMessage'],
      resources: [queueArn],
    });
  });

  it('gives the worker the table, the endpoint and the queue, and no auth settings', () => {
    const environment = workerEnvironment('topicsocket-dev', 'https://x/dev', 'https://sqs/q');
    expect(Object.keys(environment).sort()).toEqual(
      [
        'NODE_OPTIONS',
        'TOPICSOCKET_FANOUT_QUEUE_URL',
        'TOPICSOCKET_MANAGEMENT_ENDPOINT',
        'TOPICSOCKET_TABLE',
      ].sort(),
    );
  });
});
