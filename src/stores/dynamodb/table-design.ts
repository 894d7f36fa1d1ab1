import { BrokerRanges } from '../../core/config-env.ts';

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
  'dynamodb:Query',
  'dynamodb:BatchWriteItem',
  // Pattern markers (wildcard subscriptions), one request per publish: docs/dynamodb.md.
  'dynamodb:BatchGetItem',
] as const;

/** The Lambda's variable names live with every other variable's (src/core/config-env.ts). */
export { LambdaEnvironment } from '../../core/config-env.ts';
