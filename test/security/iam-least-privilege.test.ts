/**
 * Least privilege in both deployments: no action and no resource carries a wildcard, except the one AWS
 * cannot avoid (the connection id at the end of an `@connections` ARN). Stricter than "not `*`": a
 * wildcard anywhere in an ARN (region, account, API, stage, table) fails.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { removeSynthOutputs, synthesize } from '../../deploy/cdk/test/synth-fixture.ts';
import { renderService } from '../../deploy/serverless/lib/render-service.ts';

type Statement = {
  Effect?: unknown;
  Action?: unknown;
  Resource?: unknown;
  Principal?: unknown;
  NotAction?: unknown;
  NotResource?: unknown;
};

/** Every IAM statement anywhere in a template-like object. */
function statements(value: unknown): Statement[] {
  if (Array.isArray(value)) return value.flatMap(statements);
  if (!value || typeof value !== 'object') return [];
  const record = value as Record<string, unknown>;
  const own =
    'Effect' in record && ('Action' in record || 'NotAction' in record) ? [record as Statement] : [];
  return [...own, ...Object.values(record).flatMap(statements)];
}

const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : [value]);

/** The wildcards left in a resource once the connection-id segment of `@connections/*` is taken out. */
function resourceWildcards(resource: unknown): string[] {
  const text = JSON.stringify(resource).replaceAll('/@connections/*', '/@connections/{connectionId}');
  return text.match(/\*/g) ?? [];
}

function expectLeastPrivilege(found: Statement[]): void {
  expect(found.length).toBeGreaterThan(0);
  for (const statement of found) {
    expect(statement.Effect).toBe('Allow');
    expect(statement.NotAction).toBeUndefined();
    expect(statement.NotResource).toBeUndefined();
    for (const action of asList(statement.Action)) expect(String(action)).not.toContain('*');
    // A trust policy names a principal instead of resources.
    if (statement.Resource === undefined) {
      expect(JSON.stringify(statement.Principal)).not.toContain('*');
      continue;
    }
    for (const resource of asList(statement.Resource)) {
      expect(resourceWildcards(resource), JSON.stringify(resource)).toEqual([]);
    }
  }
}

describe('security: least privilege in the IaC', () => {
  afterAll(() => removeSynthOutputs());

  it('the Serverless Framework service grants no wildcard action or resource', () => {
    expectLeastPrivilege(statements(renderService()));
  });

  it('the CDK stack grants no wildcard action or resource', () => {
    const { template } = synthesize({ stage: 'security', skipBundling: true });
    const policies = template.findResources('AWS::IAM::Policy');
    const roles = template.findResources('AWS::IAM::Role');
    // Trust policies (sts:AssumeRole by the Lambda service) are statements too, and must be as narrow.
    expectLeastPrivilege([...statements(policies), ...statements(roles)]);
  });

  it('the check itself catches a wildcard hidden inside an ARN', () => {
    expect(() =>
      expectLeastPrivilege([
        { Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: 'arn:aws:dynamodb:*:123456789012:table/t' },
      ]),
    ).toThrow();
    expect(() =>
      expectLeastPrivilege([{ Effect: 'Allow', Action: 'dynamodb:*', Resource: 'arn:aws:x' }]),
    ).toThrow();
  });
});
