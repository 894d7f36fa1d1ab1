import { BrokerEnvironment, BrokerRanges } from '../../core/config-env.ts';

/**
 * The DynamoDB table design: the one source both the store and the deploy tools (CDK, Serverless) read, so
 * the table that is deployed is the table the code expects. Access patterns: docs/dynamodb.md.
 */
export const TableDesign = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Epoch seconds; DynamoDB deletes lazily, so every read also filters on it. */
  ttlAttribute: 'ttl',
  billingMode: 'PAY_PER_REQUEST',
  /** Secondary indexes, by name. Empty until a design needs one (see docs/dynamodb.md for why). */
  globalSecondaryIndexes: [] as ReadonlyArray<{ name: string; partitionKey: string; sortKey?: string }>,
} as const;

/** Most subscriptions one connection may hold: what fits its item (the reasoning is next to the range). */
export const MAX_SUBSCRIPTIONS_PER_CONNECTION = BrokerRanges.maxSubscriptions.max;

/**
 * The DynamoDB actions the Lambda needs on this table (and its indexes), and no others. The deploy tools
 * grant exactly these on exactly this table's ARN.
 */
export const TableActions = [
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:ConditionCheckItem',
  'dynamodb:Query',
  'dynamodb:BatchWriteItem',
  // Pattern markers (wildcard subscriptions), one request per publish: docs/dynamodb.md.
  'dynamodb:BatchGetItem',
] as const;

/** Environment variables the Lambda reads at cold start (validated there). */
export const LambdaEnvironment = {
  tableName: 'TOPICSOCKET_TABLE',
  /** Optional: the `@connections` endpoint, required behind a custom domain. */
  managementEndpoint: 'TOPICSOCKET_MANAGEMENT_ENDPOINT',
  /** Optional tuning and local-testing variables below; defaults live in src/runtimes/aws/config.ts. */
  /** Optional: DynamoDB endpoint override (DynamoDB Local); unset on AWS. */
  dynamodbEndpoint: 'TOPICSOCKET_DYNAMODB_ENDPOINT',
  /** Optional: `@connections` posts in flight per invocation (default 50). */
  sendConcurrency: 'TOPICSOCKET_SEND_CONCURRENCY',
  /** Optional: subscribers read per DynamoDB Query page (default 1000). */
  subscriberPageSize: 'TOPICSOCKET_SUBSCRIBER_PAGE_SIZE',
  /** Optional, and read by `topicsocket dev` too: the broker's limits (src/core/config-env.ts). */
  ...BrokerEnvironment,
  /** Optional: CloudWatch metrics namespace (default "topicsocket"). */
  metricsNamespace: 'TOPICSOCKET_METRICS_NAMESPACE',
} as const;
