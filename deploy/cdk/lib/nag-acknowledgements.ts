/**
 * The cdk-nag AwsSolutions findings on this stack that were reviewed and are by design, each acknowledged
 * with its reason (CDK's `Validations.acknowledge`, which cdk-nag v3 reads). deploy/cdk/test/cdk-nag.test.ts
 * runs the pack and fails on any finding not listed here. Exact finding ids where the rule has them, so a
 * new wildcard is still reported.
 */
import { type CfnResource, type Stack, Validations } from 'aws-cdk-lib';
import type { IRole } from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';
import type { ConnectionMethods, StackModel } from '../../model/index.ts';

const rule = (id: string) => `AwsSolutions::AwsSolutions-${id}`;

export interface ReviewedParts {
  webSocketApi: IConstruct & { node: { defaultChild?: IConstruct } };
  /** Each function's role and the `@connections` methods it may call. */
  roles: readonly { role: IRole | undefined; methods: readonly (typeof ConnectionMethods)[number][] }[];
  table: IConstruct | undefined;
}

export function acknowledgeReviewedFindings(stack: Stack, model: StackModel, parts: ReviewedParts): void {
  Validations.of(stack).acknowledge({
    id: rule('APIG4'),
    reason:
      'WebSocket APIs authorize on $connect only (the function or the REQUEST authorizer); later routes run on ' +
      'an authenticated connection and the broker checks topic permissions. POST /publish is AWS_IAM, or with ' +
      'TOPICSOCKET_PUBLISH_AUTH=keys checked by the function itself (API keys or bearer JWTs from the auth secret).',
  });
  const apiId = stack.getLogicalId(parts.webSocketApi.node.defaultChild as CfnResource);
  for (const { role, methods } of parts.roles) {
    if (!role) continue;
    for (const method of methods) {
      Validations.of(role).acknowledge({
        id: `${rule('IAM5')}[Resource::arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:<${apiId}>/${model.stage}/${method}/@connections/*]`,
        reason:
          'Connection ids are created at run time: ManageConnections is scoped to this API, this stage and this ' +
          'method, and the trailing * stands only for the connection id.',
      });
    }
  }
  if (parts.table && !model.table.retainOnDelete) {
    Validations.of(parts.table).acknowledge({
      id: rule('DDB3'),
      reason:
        'Non-production stage: the table is deleted with the stack and holds only connections, subscriptions and ' +
        'minutes of history. Retained (prod) tables have point-in-time recovery.',
    });
  }
}
