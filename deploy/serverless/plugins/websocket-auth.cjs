'use strict';
/**
 * Two things the Serverless Framework v3 leaves out for the WebSocket API, done at package time (after
 * variables are resolved):
 * - Its Lambda permissions for the WebSocket function and a `$connect` authorizer name no SourceArn, so any
 *   API Gateway API could invoke them. Each one gets this API's ARN (`…:{apiId}/*`).
 * - A `$connect` authorizer (TOPICSOCKET_CONNECT_AUTH=authorizer) without TOPICSOCKET_JWKS_URL or
 *   TOPICSOCKET_JWT_SECRET refuses to start, so every connection would fail with a 500: refuse to package.
 */
const apiId = 'WebsocketsApi';
const keySources = ['TOPICSOCKET_JWKS_URL', 'TOPICSOCKET_JWT_SECRET'];

class WebsocketAuth {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = {
      'before:package:finalize': () => {
        this.checkAuthorizer();
        this.scopePermissions();
      },
    };
  }

  checkAuthorizer() {
    const service = this.serverless.service;
    for (const [name, fn] of Object.entries(service.functions ?? {})) {
      const authorized = (fn.events ?? []).some((event) => event.websocket?.authorizer);
      if (!authorized) continue;
      const environment = { ...(service.provider.environment ?? {}), ...(fn.environment ?? {}) };
      if (keySources.some((variable) => String(environment[variable] ?? '').trim() !== '')) continue;
      throw new Error(
        `websocket-auth: function "${name}" has a $connect authorizer but neither ${keySources.join(' nor ')} ` +
          'is set, and the authorizer cannot verify anything without one (TOPICSOCKET_CONNECT_AUTH=authorizer)',
      );
    }
  }

  scopePermissions() {
    const resources = this.serverless.service.provider.compiledCloudFormationTemplate.Resources;
    for (const resource of Object.values(resources)) {
      const props = resource.Properties;
      if (resource.Type !== 'AWS::Lambda::Permission' || props.SourceArn) continue;
      if (props.Principal !== 'apigateway.amazonaws.com') continue;
      if (!(resource.DependsOn ?? []).includes(apiId)) continue;
      props.SourceArn = {
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
            '/*',
          ],
        ],
      };
    }
  }
}

module.exports = WebsocketAuth;
