'use strict';
/**
 * The framework names its WebSocket deployment after a hash of the routes it compiled itself and makes it
 * depend on them only. Routes declared under `resources` (the MOCK ping route) would neither trigger a new
 * deployment when they change nor be guaranteed to exist before the deployment is taken. This plugin folds
 * those resources into the deployment's name and DependsOn.
 */
const { createHash } = require('node:crypto');

const routeTypes = new Set([
  'AWS::ApiGatewayV2::Integration',
  'AWS::ApiGatewayV2::IntegrationResponse',
  'AWS::ApiGatewayV2::Route',
  'AWS::ApiGatewayV2::RouteResponse',
]);

class DeployExtraRoutes {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = { 'before:package:finalize': () => this.foldIntoDeployment() };
  }

  foldIntoDeployment() {
    const extra = this.serverless.service.resources?.Resources ?? {};
    const extraIds = Object.keys(extra)
      .filter((id) => routeTypes.has(extra[id].Type))
      .sort();
    if (extraIds.length === 0) return;
    const resources = this.serverless.service.provider.compiledCloudFormationTemplate.Resources;
    const oldId = Object.keys(resources).find((id) => resources[id].Type === 'AWS::ApiGatewayV2::Deployment');
    if (!oldId) throw new Error('deploy-extra-routes: no WebSocket deployment was compiled');
    const digest = createHash('sha256')
      .update(oldId)
      .update(JSON.stringify(extraIds.map((id) => extra[id])))
      .digest('hex')
      .slice(0, 32);
    const newId = `WebsocketsDeployment${digest}`;
    const deployment = resources[oldId];
    delete resources[oldId];
    resources[newId] = { ...deployment, DependsOn: [...(deployment.DependsOn ?? []), ...extraIds] };
    for (const resource of Object.values(resources)) {
      if (resource.Properties?.DeploymentId?.Ref === oldId) resource.Properties.DeploymentId = { Ref: newId };
    }
  }
}

module.exports = DeployExtraRoutes;
