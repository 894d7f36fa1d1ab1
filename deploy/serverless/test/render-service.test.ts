/**
 * The renderer itself, for what the committed serverless.yml cannot show: the design has no indexes today,
 * so this renders one to check the table's index definition and the `/index/*` grant.
 */
import { expect, it } from 'vitest';
import { renderService } from '../lib/render-service.ts';

interface Rendered {
  resources: {
    Resources: Record<string, { Properties: Record<string, unknown> }>;
  };
}

it('renders indexes with their key attributes, and grants the table actions on them', () => {
  const rendered = renderService({
    indexes: [{ name: 'byConnection', partitionKey: 'gsi1pk' }],
  }) as unknown as Rendered;
  const table = rendered.resources.Resources.TopicsocketTable!.Properties;
  expect(table.GlobalSecondaryIndexes).toEqual([
    {
      IndexName: 'byConnection',
      KeySchema: [{ AttributeName: 'gsi1pk', KeyType: 'HASH' }],
      Projection: { ProjectionType: 'KEYS_ONLY' },
    },
  ]);
  expect(table.AttributeDefinitions).toContainEqual({ AttributeName: 'gsi1pk', AttributeType: 'S' });
  const role = rendered.resources.Resources.TopicsocketFunctionRole!.Properties;
  const statements = (
    role.Policies as { PolicyDocument: { Statement: { Sid: string; Resource: unknown[] }[] } }[]
  )[0]!.PolicyDocument.Statement;
  const tableStatement = statements.find((s) => s.Sid === 'TopicsocketTable')!;
  expect(tableStatement.Resource).toEqual([
    { 'Fn::GetAtt': ['TopicsocketTable', 'Arn'] },
    { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['TopicsocketTable', 'Arn'] }, '/index/*']] },
  ]);
});

it('renders no index and no index grant for the design as it is', () => {
  const rendered = renderService() as unknown as Rendered;
  expect(rendered.resources.Resources.TopicsocketTable!.Properties.GlobalSecondaryIndexes).toBeUndefined();
  expect(JSON.stringify(rendered)).not.toContain('/index/*');
});
