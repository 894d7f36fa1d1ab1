/**
 * The IAM action each AWS SDK request of the functions needs: the rule the granted lists (iam.ts, fanout.ts)
 * follow, written once. test/runtimes/aws/iam-coverage.test.ts applies it to every request the functions
 * make (and to every SDK command their bundles construct) and requires granted = used, both ways.
 */

/** Services whose SDK commands the functions construct. */
export type SdkService = 'dynamodb' | 'sqs' | 'execute-api';

/**
 * DynamoDB: an item operation needs the action of the same name; a transaction needs the action of each kind
 * of item it holds (there is no TransactWriteItems action: AWS authorizes its Put, Update, Delete and
 * ConditionCheck items as PutItem, UpdateItem, DeleteItem and ConditionCheckItem). lib-dynamodb's document
 * commands (`Put`, `BatchWrite`, ...) send the same operations.
 */
const dynamoDbOperations: Readonly<Record<string, string>> = {
  GetItem: 'dynamodb:GetItem',
  Get: 'dynamodb:GetItem',
  PutItem: 'dynamodb:PutItem',
  Put: 'dynamodb:PutItem',
  UpdateItem: 'dynamodb:UpdateItem',
  Update: 'dynamodb:UpdateItem',
  DeleteItem: 'dynamodb:DeleteItem',
  Delete: 'dynamodb:DeleteItem',
  ConditionCheck: 'dynamodb:ConditionCheckItem',
  Query: 'dynamodb:Query',
  Scan: 'dynamodb:Scan',
  BatchWriteItem: 'dynamodb:BatchWriteItem',
  BatchWrite: 'dynamodb:BatchWriteItem',
  BatchGetItem: 'dynamodb:BatchGetItem',
  BatchGet: 'dynamodb:BatchGetItem',
};

/** The operations that are transactions: their items say which actions they need. */
const dynamoDbTransactions = new Set([
  'TransactWriteItems',
  'TransactWrite',
  'TransactGetItems',
  'TransactGet',
]);

/** SQS: the batch operations authorize as their single-message action. */
const sqsOperations: Readonly<Record<string, string>> = {
  SendMessage: 'sqs:SendMessage',
  SendMessageBatch: 'sqs:SendMessage',
  ReceiveMessage: 'sqs:ReceiveMessage',
  DeleteMessage: 'sqs:DeleteMessage',
  DeleteMessageBatch: 'sqs:DeleteMessage',
  ChangeMessageVisibility: 'sqs:ChangeMessageVisibility',
  ChangeMessageVisibilityBatch: 'sqs:ChangeMessageVisibility',
  GetQueueAttributes: 'sqs:GetQueueAttributes',
};

/** `@connections`: one action for every method; the method is the resource's (iam.ts, ConnectionMethods). */
const connectionOperations: Readonly<Record<string, string>> = {
  PostToConnection: 'POST',
  DeleteConnection: 'DELETE',
  GetConnection: 'GET',
};

/** The item kinds a transaction holds (`{ Put: ... }`, `{ ConditionCheck: ... }`, ...). */
export type TransactionItemKind = 'Put' | 'Update' | 'Delete' | 'ConditionCheck' | 'Get';

export class UnknownSdkCommandError extends Error {
  override readonly name = 'UnknownSdkCommandError';
}

/**
 * The IAM actions one request needs: `command` as the SDK names it (`QueryCommand`, `PutCommand`), the kinds
 * of item a transaction holds. For `@connections` requests, the HTTP method of the `@connections` ARN
 * (`POST`, `DELETE`) stands for `execute-api:ManageConnections` on that method. Throws for a command this
 * table does not know, so a new kind of call cannot pass unexamined.
 */
export function iamActionsOf(
  service: SdkService,
  command: string,
  transactionItems: readonly TransactionItemKind[] = [],
): string[] {
  const operation = command.replace(/Command$/, '');
  const known =
    service === 'dynamodb'
      ? dynamoDbTransactions.has(operation)
        ? transactionItems.map((kind) => dynamoDbOperations[kind] as string)
        : dynamoDbOperations[operation]
      : service === 'sqs'
        ? sqsOperations[operation]
        : connectionOperations[operation];
  if (known === undefined) {
    throw new UnknownSdkCommandError(
      `no IAM action known for ${service} ${command}: add it to deploy/model/iam-actions.ts (and grant it)`,
    );
  }
  return Array.isArray(known) ? [...new Set(known)] : [known];
}

/**
 * What Lambda's SQS event source mapping does with the worker's role (AWS: "Lambda execution role
 * permissions" for SQS): not calls of the worker's code, and granted for it.
 */
export const EventSourceMappingQueueActions = [
  'sqs:ReceiveMessage',
  'sqs:DeleteMessage',
  'sqs:GetQueueAttributes',
] as const;
