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

/**
 * Most subscriptions one connection may hold on DynamoDB: its item (400 KB at most) keeps a map of its topics.
 * A topic is at most 256 UTF-16 units, 768 bytes of UTF-8, plus about 10 bytes for the map entry's number;
 * 16 KB are left for the rest (claims are trimmed, the token itself is limited to 8 KB). (400 - 16) KB / 778
 * bytes = 505, rounded down to 500.
 */
export const MAX_SUBSCRIPTIONS_PER_CONNECTION = 500;

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
  /** Optional: per-connection subscription limit (default 100, at most MAX_SUBSCRIPTIONS_PER_CONNECTION). */
  maxSubscriptions: 'TOPICSOCKET_MAX_SUBSCRIPTIONS',
  /** Optional: messages of history kept per topic (default 1000; 0 turns history off). docs/history.md. */
  historyMessages: 'TOPICSOCKET_HISTORY_MESSAGES',
  /** Optional: seconds a message stays in history (default 300). docs/history.md. */
  historySeconds: 'TOPICSOCKET_HISTORY_SECONDS',
  /** Optional: CloudWatch metrics namespace (default "topicsocket"). */
  metricsNamespace: 'TOPICSOCKET_METRICS_NAMESPACE',
} as const;
