'use strict';
/**
 * What the Serverless Framework v3 leaves out for the WebSocket API, done at package time (after variables
 * are resolved):
 * - Its Lambda permission for the WebSocket function names no SourceArn, so any API Gateway API could invoke
 *   it on any route. It becomes one permission per route of this API (`…:{apiId}/*\/{routeKey}`), as CDK's
 *   integrations do; a `$connect` authorizer's permission gets this API's ARN (`…:{apiId}/*`).
 * - The publish function's permission (`…:{httpApiId}/*`) becomes its one route's (`…/*\/POST/publish`).
 * - A `$connect` authorizer (TOPICSOCKET_CONNECT_AUTH=authorizer) without TOPICSOCKET_JWKS_URL or an auth
 *   secret refuses to start, so every connection would fail with a 500: refuse to package.
 * - A secret in the deployer's environment (custom.topicsocket.refusedSecretVariables: TOPICSOCKET_JWT_SECRET,
 *   TOPICSOCKET_API_KEYS, ...) would be written into the template: refuse to package (deploy/model/secrets.ts).
 */
const apiId = 'WebsocketsApi';
const keySources = ['TOPICSOCKET_JWKS_URL', 'TOPICSOCKET_AUTH_SECRET_ARN', 'TOPICSOCKET_AUTH_PARAMETER_ARN'];

class WebsocketAuth {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = {
      'before:package:finalize': () => {
        this.refusePlainSecrets();
        this.checkAuthorizer();
        this.scopePermissions();
      },
    };
  }

  refusePlainSecrets() {
    const names = this.serverless.service.custom?.topicsocket?.refusedSecretVariables ?? [];
    const set = names.filter((name) => String(process.env[name] ?? '').trim() !== '');
    if (set.length === 0) return;
    throw new Error(
      `websocket-auth: ${set.join(', ')} would be written into the template and the function configuration: ` +
        'put them in a Secrets Manager secret (or an SSM SecureString) as JSON and set ' +
        'TOPICSOCKET_AUTH_SECRET_ARN (or TOPICSOCKET_AUTH_PARAMETER_ARN) to its ARN',
    );
  }

  checkAuthorizer() {
    const service = this.serverless.service;
    for (const [name, fn] of Object.entries(service.functions ?? {})) {
      const authorized = (fn.events ?? []).some((event) => event.websocket?.authorizer);
      if (!authorized) continue;
      const environment = { ...(service.provider.environment ?? {}), ...(fn.environment ?? {}) };
      if (keySources.some((variable) => String(environment[variable] ?? '').trim() !== '')) continue;
      throw new Error(
        `websocket-auth: function "${name}" has a $connect authorizer but none of ${keySources.join(', ')} ` +
          'is set, and the authorizer cannot verify anything without one (TOPICSOCKET_CONNECT_AUTH=authorizer)',
      );
    }
  }

  scopePermissions() {
    const service = this.serverless.service;
    const naming = this.serverless.getProvider('aws').naming;
    const resources = service.provider.compiledCloudFormationTemplate.Resources;
    const routesOf = new Map(
      Object.entries(service.functions ?? {}).map(([name, fn]) => [
        naming.getLambdaLogicalId(name),
        (fn.events ?? []).map((event) => event.websocket?.route).filter(Boolean),
      ]),
    );
    const httpRoutesOf = new Map(
      Object.entries(service.functions ?? {}).map(([name, fn]) => [
        naming.getLambdaLogicalId(name),
        (fn.events ?? []).filter((event) => event.httpApi).map((event) => event.httpApi),
      ]),
    );
    for (const [logicalId, resource] of Object.entries(resources)) {
      const props = resource.Properties;
      if (resource.Type !== 'AWS::Lambda::Permission') continue;
      const httpRoutes = httpRoutesOf.get(props.FunctionName?.['Fn::GetAtt']?.[0]) ?? [];
      if (httpRoutes.length === 1 && JSON.stringify(props.SourceArn).endsWith('{"Ref":"HttpApi"},"/*"]]}')) {
        // The HTTP API's one route only (any stage): `…:{httpApiId}/*/POST/publish`.
        const { method, path } = httpRoutes[0];
        props.SourceArn['Fn::Join'][1].splice(-1, 1, `/*/${method.toUpperCase()}${path}`);
        continue;
      }
      if (props.SourceArn) continue;
      if (props.Principal !== 'apigateway.amazonaws.com') continue;
      if (!(resource.DependsOn ?? []).includes(apiId)) continue;
      const routes = routesOf.get(props.FunctionName?.['Fn::GetAtt']?.[0]) ?? [];
      if (routes.length === 0) {
        // The $connect authorizer: invoked by this API's authorizers only.
        props.SourceArn = apiArn('/authorizers/*');
        continue;
      }
      // One permission per route, as CDK's integrations: no route of any other API, nor another route here.
      delete resources[logicalId];
      for (const route of routes) {
        resources[`${logicalId}${pascal(route)}`] = {
          ...resource,
          Properties: { ...props, SourceArn: apiArn(`/*/${route}`) },
        };
      }
    }
  }
}

function pascal(routeKey) {
  const word = routeKey.replace(/[^A-Za-z0-9]/g, '');
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/** `arn:{partition}:execute-api:{region}:{account}:{apiId}{path}` as CloudFormation. */
function apiArn(path) {
  return {
    'Fn::Join': [
      '',
      [
        'arn:',
        { Ref: 'AWS::Partition' },
        ':execute-api:',
        { Ref: 'AWS::Region' },
        ':',
        { Ref: 'AWS::AccountId' },
        ':',
        { Ref: apiId },
        path,
      ],
    ],
  };
}

module.exports = WebsocketAuth;
