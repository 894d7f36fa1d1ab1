/**
 * The local plugin that makes the stage deployment include routes declared as plain resources (the MOCK
 * ping): it must depend on them, and change its logical id (so CloudFormation deploys again) when they change.
 */
import { createRequire } from 'node:module';
import { expect, it } from 'vitest';

type Resources = Record<string, { Type: string; DependsOn?: string[]; Properties?: Record<string, unknown> }>;
interface Plugin {
  hooks: Record<string, () => void>;
}
const DeployExtraRoutes = createRequire(import.meta.url)('../plugins/deploy-extra-routes.cjs') as new (
  serverless: unknown,
) => Plugin;

function packageWith(pingTemplate: string): Resources {
  const compiled: Resources = {
    WebsocketsDeploymentabc: {
      Type: 'AWS::ApiGatewayV2::Deployment',
      DependsOn: ['SdefaultWebsocketsRoute'],
    },
    WebsocketsDeploymentStage: {
      Type: 'AWS::ApiGatewayV2::Stage',
      Properties: { DeploymentId: { Ref: 'WebsocketsDeploymentabc' } },
    },
  };
  const extra: Resources = {
    PingMockIntegration: {
      Type: 'AWS::ApiGatewayV2::Integration',
      Properties: { RequestTemplates: pingTemplate },
    },
    PingMockRoute: { Type: 'AWS::ApiGatewayV2::Route' },
    TopicsocketTable: { Type: 'AWS::DynamoDB::Table' },
  };
  const plugin = new DeployExtraRoutes({
    service: {
      resources: { Resources: extra },
      provider: { compiledCloudFormationTemplate: { Resources: compiled } },
    },
  });
  plugin.hooks['before:package:finalize']!();
  return compiled;
}

function deployment(resources: Resources): [string, Resources[string]] {
  const found = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::ApiGatewayV2::Deployment');
  expect(found).toHaveLength(1);
  return found[0]!;
}

it('makes the deployment depend on the extra route resources, not on other resources', () => {
  const [, resource] = deployment(packageWith('a'));
  expect(resource.DependsOn).toEqual(['SdefaultWebsocketsRoute', 'PingMockIntegration', 'PingMockRoute']);
});

it('renames the deployment when an extra route changes, and points the stage at the new one', () => {
  const before = packageWith('a');
  const after = packageWith('b');
  const [idBefore] = deployment(before);
  const [idAfter] = deployment(after);
  expect(idBefore).not.toBe('WebsocketsDeploymentabc');
  expect(idAfter).not.toBe(idBefore);
  expect(deployment(packageWith('a'))[0]).toBe(idBefore);
  expect(after.WebsocketsDeploymentStage!.Properties!.DeploymentId).toEqual({ Ref: idAfter });
});
