/**
 * The local plugin that scopes the framework's WebSocket invoke permissions to this API's routes, refuses to
 * package a `$connect` authorizer that has no key source (it would fail every connection), and refuses a
 * secret in the deployer's environment (it would be written into the template).
 */
import { createRequire } from 'node:module';
import { expect, it } from 'vitest';

type Resources = Record<string, { Type: string; DependsOn?: string[]; Properties: Record<string, unknown> }>;
interface Plugin {
  hooks: Record<string, () => void>;
}
const WebsocketAuth = createRequire(import.meta.url)('../plugins/websocket-auth.cjs') as new (
  serverless: unknown,
) => Plugin;

/** The framework's logical id of a function, as its naming module spells it. */
const lambdaLogicalId = (name: string) => `${name.charAt(0).toUpperCase()}${name.slice(1)}LambdaFunction`;

function packageWith(environment: Record<string, string>, resources: Resources): void {
  const plugin = new WebsocketAuth({
    service: {
      provider: { environment, compiledCloudFormationTemplate: { Resources: resources } },
      custom: { topicsocket: { refusedSecretVariables: ['TOPICSOCKET_JWT_SECRET_FOR_PLUGIN_TEST'] } },
      functions: {
        websocket: {
          events: [
            { websocket: { route: '$connect', authorizer: { name: 'connectAuthorizer' } } },
            { websocket: { route: '$default' } },
          ],
        },
        connectAuthorizer: { environment: { TOPICSOCKET_API_KEYS: '' } },
      },
    },
    getProvider: () => ({ naming: { getLambdaLogicalId: lambdaLogicalId } }),
  });
  plugin.hooks['before:package:finalize']!();
}

const permission = (fn: string, dependsOn: string[], sourceArn?: string) => ({
  Type: 'AWS::Lambda::Permission',
  DependsOn: dependsOn,
  Properties: {
    Principal: 'apigateway.amazonaws.com',
    FunctionName: { 'Fn::GetAtt': [fn, 'Arn'] },
    ...(sourceArn ? { SourceArn: sourceArn } : {}),
  },
});

it('gives the WebSocket function one invoke permission per route of this API, the authorizer this API only', () => {
  const resources: Resources = {
    Open: permission('WebsocketLambdaFunction', ['WebsocketsApi', 'WebsocketLambdaFunction']),
    Authorizer: permission('ConnectAuthorizerLambdaFunction', ['WebsocketsApi']),
    Scoped: permission('Other', [], 'arn:aws:execute-api:us-east-1:1:abc/*'),
  };
  packageWith({ TOPICSOCKET_JWKS_URL: 'https://idp.example.com/jwks.json' }, resources);
  expect(resources.Open).toBeUndefined();
  const tail = (id: string) =>
    JSON.stringify(
      (resources[id]!.Properties.SourceArn as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1].slice(-2),
    );
  expect(tail('OpenConnect')).toBe('[{"Ref":"WebsocketsApi"},"/*/$connect"]');
  expect(tail('OpenDefault')).toBe('[{"Ref":"WebsocketsApi"},"/*/$default"]');
  expect(tail('Authorizer')).toBe('[{"Ref":"WebsocketsApi"},"/authorizers/*"]');
  expect(resources.Scoped!.Properties.SourceArn).toBe('arn:aws:execute-api:us-east-1:1:abc/*');
});

it('refuses a $connect authorizer with neither a JWKS URL nor an auth secret', () => {
  expect(() => packageWith({ TOPICSOCKET_JWKS_URL: '', TOPICSOCKET_AUTH_SECRET_ARN: ' ' }, {})).toThrow(
    /none of TOPICSOCKET_JWKS_URL, TOPICSOCKET_AUTH_SECRET_ARN, TOPICSOCKET_AUTH_PARAMETER_ARN/,
  );
  expect(() =>
    packageWith(
      { TOPICSOCKET_AUTH_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:a-AbCdEf' },
      {},
    ),
  ).not.toThrow();
});

it('refuses to package while a secret variable is set in the deployer environment', () => {
  process.env.TOPICSOCKET_JWT_SECRET_FOR_PLUGIN_TEST = 'x';
  try {
    expect(() => packageWith({ TOPICSOCKET_JWKS_URL: 'https://idp.example.com/jwks.json' }, {})).toThrow(
      /TOPICSOCKET_JWT_SECRET_FOR_PLUGIN_TEST would be written into the template/,
    );
  } finally {
    delete process.env.TOPICSOCKET_JWT_SECRET_FOR_PLUGIN_TEST;
  }
});
