import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';

/**
 * A DynamoDB client. With `endpoint` (DynamoDB Local), region and credentials are placeholders: DynamoDB
 * Local accepts any, and the local tools must never pick up real AWS credentials by accident.
 */
export function createDynamoDbClient(options: { endpoint?: string; region?: string } = {}): DynamoDBClient {
  const config: DynamoDBClientConfig = options.endpoint
    ? {
        endpoint: options.endpoint,
        region: options.region ?? 'us-east-1',
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      }
    : { ...(options.region ? { region: options.region } : {}) };
  return new DynamoDBClient({
    ...config,
    // A request that hangs fails (and is retried by the SDK) instead of holding the invocation.
    requestHandler: { connectionTimeout: 2_000, requestTimeout: 10_000, throwOnRequestTimeout: true },
  });
}
