import { describe, expect, it } from 'vitest';
import { ConfigError, loadAwsRuntimeConfig } from '../../../src/runtimes/aws/config.ts';
import { LambdaEnvironment } from '../../../src/stores/dynamodb/table-design.ts';

describe('AWS runtime configuration', () => {
  it('reads the table name and applies defaults', () => {
    expect(loadAwsRuntimeConfig({ [LambdaEnvironment.tableName]: 'topicsocket-prod' })).toEqual({
      tableName: 'topicsocket-prod',
      sendConcurrency: 50,
      subscriberPageSize: 1000,
      maxSubscriptions: 100,
      metricsNamespace: 'topicsocket',
    });
  });

  it('reads every optional variable, trimming a trailing slash from endpoints', () => {
    const config = loadAwsRuntimeConfig({
      TOPICSOCKET_TABLE: 't1_x',
      TOPICSOCKET_MANAGEMENT_ENDPOINT: 'https://ws.example.com/prod/',
      TOPICSOCKET_DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000',
      TOPICSOCKET_SEND_CONCURRENCY: '20',
      TOPICSOCKET_SUBSCRIBER_PAGE_SIZE: '250',
      TOPICSOCKET_MAX_SUBSCRIPTIONS: '10',
      TOPICSOCKET_METRICS_NAMESPACE: 'Chat',
    });
    expect(config).toEqual({
      tableName: 't1_x',
      managementEndpoint: 'https://ws.example.com/prod',
      dynamodbEndpoint: 'http://127.0.0.1:8000',
      sendConcurrency: 20,
      subscriberPageSize: 250,
      maxSubscriptions: 10,
      metricsNamespace: 'Chat',
    });
  });

  it('caps TOPICSOCKET_MAX_SUBSCRIPTIONS at what fits the 400 KB connection item with the longest topics', () => {
    expect(
      loadAwsRuntimeConfig({ TOPICSOCKET_TABLE: 'x-table', TOPICSOCKET_MAX_SUBSCRIPTIONS: '500' }),
    ).toMatchObject({
      maxSubscriptions: 500,
    });
    expect(() =>
      loadAwsRuntimeConfig({ TOPICSOCKET_TABLE: 'x-table', TOPICSOCKET_MAX_SUBSCRIPTIONS: '1000' }),
    ).toThrow(/TOPICSOCKET_MAX_SUBSCRIPTIONS must be an integer from 1 to 500/);
  });

  it('refuses a missing table name, naming the variable', () => {
    expect(() => loadAwsRuntimeConfig({})).toThrow(ConfigError);
    expect(() => loadAwsRuntimeConfig({})).toThrow(/TOPICSOCKET_TABLE is required/);
  });

  it('lists every bad variable in one error', () => {
    let message = '';
    try {
      loadAwsRuntimeConfig({
        TOPICSOCKET_TABLE: 'x',
        TOPICSOCKET_MANAGEMENT_ENDPOINT: 'wss://nope',
        TOPICSOCKET_SEND_CONCURRENCY: '0',
        TOPICSOCKET_SUBSCRIBER_PAGE_SIZE: 'many',
      });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('TOPICSOCKET_TABLE must be a DynamoDB table name');
    expect(message).toContain('TOPICSOCKET_MANAGEMENT_ENDPOINT must be an http(s) URL, got "wss://nope"');
    expect(message).toContain('TOPICSOCKET_SEND_CONCURRENCY must be an integer from 1 to 1000, got "0"');
    expect(message).toContain(
      'TOPICSOCKET_SUBSCRIBER_PAGE_SIZE must be an integer from 1 to 10000, got "many"',
    );
  });
});
