import { describe, expect, it } from 'vitest';
import { FanoutEnvironment, InlineFanout } from '../../src/core/index.ts';
import { ConfigError, loadAwsRuntimeConfig } from '../../src/runtimes/aws/config.ts';
import { LambdaEnvironment } from '../../src/stores/dynamodb/table-design.ts';

const base = { [LambdaEnvironment.tableName]: 'topicsocket-dev' };

describe('the Lambda configuration of the sharded fan-out', () => {
  it('takes the queue URL, the SQS endpoint and the threshold from the environment', () => {
    const config = loadAwsRuntimeConfig({
      ...base,
      [FanoutEnvironment.queueUrl]: 'https://sqs.eu-west-1.amazonaws.com/123456789012/fanout',
      [FanoutEnvironment.sqsEndpoint]: 'http://127.0.0.1:9324/',
      [FanoutEnvironment.threshold]: '250',
    });
    expect(config).toMatchObject({
      fanoutQueueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/fanout',
      sqsEndpoint: 'http://127.0.0.1:9324',
      fanoutThreshold: 250,
    });
  });

  it(`fans out inline without a queue URL, or with "${InlineFanout}"`, () => {
    expect(loadAwsRuntimeConfig(base).fanoutQueueUrl).toBeUndefined();
    expect(
      loadAwsRuntimeConfig({ ...base, [FanoutEnvironment.queueUrl]: InlineFanout }).fanoutQueueUrl,
    ).toBeUndefined();
    expect(loadAwsRuntimeConfig(base).fanoutThreshold).toBeUndefined();
  });

  it('refuses a queue URL that is not one and a threshold that is not a positive integer, by name', () => {
    expect(() => loadAwsRuntimeConfig({ ...base, [FanoutEnvironment.queueUrl]: '[object Object]' })).toThrow(
      ConfigError,
    );
    expect(() => loadAwsRuntimeConfig({ ...base, [FanoutEnvironment.threshold]: '0' })).toThrow(
      /TOPICSOCKET_FANOUT_THRESHOLD must be an integer/,
    );
  });
});
