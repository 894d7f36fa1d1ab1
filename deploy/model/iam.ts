/**
 * The function's permissions, as data. Resources are ARN strings built from references each deploy tool
 * supplies in its own syntax (CDK tokens, CloudFormation `${...}` for Fn::Sub), so the shape of every ARN
 * is written once, here.
 */
import { TableActions } from '../../src/stores/dynamodb/table-design.ts';
import type { TableModel } from './table.ts';

/** Everything an ARN needs that only the deploy tool knows (as tokens or Fn::Sub references). */
export interface ArnReferences {
  partition: string;
  region: string;
  account: string;
  tableArn: string;
  apiId: string;
  stage: string;
}

/** The service that assumes the function's role. */
export const LambdaServicePrincipal = 'lambda.amazonaws.com';

export interface PolicyStatementModel {
  sid: string;
  actions: readonly string[];
  resources: readonly string[];
}

/**
 * `@connections` methods the handler uses: POST sends a frame, DELETE ends a connection, GET checks that a
 * presence member's connection still exists (a missed `$disconnect` must not be listed).
 */
export const ConnectionMethods = ['POST', 'DELETE', 'GET'] as const;

export function connectionsArn(refs: ArnReferences, method: (typeof ConnectionMethods)[number]): string {
  return `arn:${refs.partition}:execute-api:${refs.region}:${refs.account}:${refs.apiId}/${refs.stage}/${method}/@connections/*`;
}

/** The table's ARN, plus its indexes only when the design has any. */
export function tableResources(table: TableModel, tableArn: string): string[] {
  return table.indexes.length > 0 ? [tableArn, `${tableArn}/index/*`] : [tableArn];
}

export function policyStatements(table: TableModel, refs: ArnReferences): PolicyStatementModel[] {
  return [
    { sid: 'TopicsocketTable', actions: [...TableActions], resources: tableResources(table, refs.tableArn) },
    {
      sid: 'TopicsocketConnections',
      actions: ['execute-api:ManageConnections'],
      resources: ConnectionMethods.map((method) => connectionsArn(refs, method)),
    },
  ];
}

/**
 * What a publish does to the table (src/stores/dynamodb): append to the topic's history (UpdateItem on the
 * counter, PutItem of the message, a conditional PutItem/GetItem/DeleteItem of an idempotency key), Query the
 * topic's subscribers, and for connections found gone, DeleteItem the connection and BatchWriteItem-delete
 * its subscriptions. test/runtimes/aws/iam-coverage.test.ts fails when the publish path needs more.
 */
export const PublishTableActions = [
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:Query',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
  // Pattern markers (wildcard subscriptions), one request per publish: docs/dynamodb.md.
  'dynamodb:BatchGetItem',
] as const;

/** The publish function's grants: only the fan-out. `@connections` POST only (it never closes connections). */
export function publishPolicyStatements(table: TableModel, refs: ArnReferences): PolicyStatementModel[] {
  return [
    {
      sid: 'TopicsocketPublishTable',
      actions: [...PublishTableActions],
      resources: tableResources(table, refs.tableArn),
    },
    {
      sid: 'TopicsocketPublishConnections',
      actions: ['execute-api:ManageConnections'],
      resources: [connectionsArn(refs, 'POST')],
    },
  ];
}

/**
 * Writing its own log group's streams: in place of the AWSLambdaBasicExecutionRole managed policy (CDK's
 * default, `Resource: *`) and of the Serverless Framework's default role (which also grants ManageConnections
 * on every API of every account, region and stage).
 */
export function logsStatement(logGroupArn: string): PolicyStatementModel {
  return {
    sid: 'TopicsocketLogs',
    actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
    resources: [logGroupArn],
  };
}
