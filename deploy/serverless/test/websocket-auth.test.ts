/**
 * The local plugin that scopes the framework's WebSocket invoke permissions to this API, and refuses to
 * package a `$connect` authorizer that has no key source (it would fail every connection).
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

function packageWith(environment: Record<string, string>, resources: Resources): void {
  const plugin = new WebsocketAuth({
    service: {
      provider: { environment, compiledCloudFormationTemplate: { Resources: resources } },
      functions: {
        websocket: {
          events: [{ websocket: { route: '$connect', authorizer: { name: 'connectAuthorizer' } } }],
        },
        connectAuthorizer: { environment: { TOPICSOCKET_API_KEYS: '' } },
      },
    },
  });
  plugin.hooks['before:package:finalize']!();
}

const permission = (dependsOn: string[], sourceArn?: string) => ({
  Type: 'AWS::Lambda::Permission',
  DependsOn: dependsOn,
  Properties: {
    Principal: 'apigateway.amazonaws.com',
    FunctionName: 'f',
    ...(sourceArn ? { SourceArn: sourceArn } : {}),
  },
});

it('gives WebSocket invoke permissions without a SourceArn this API, and leaves scoped ones alone', () => {
  const resources: Resources = {
    Open: permission(['WebsocketsApi', 'WebsocketLambdaFunction']),
    Scoped: permission([], 'arn:aws:execute-api:us-east-1:1:abc/*'),
  };
  packageWith({ TOPICSOCKET_JWKS_URL: 'https://idp.example.com/jwks.json' }, resources);
  expect(JSON.stringify(resources.Open!.Properties.SourceArn)).toContain('{"Ref":"WebsocketsApi"},"/*"]');
  expect(resources.Scoped!.Properties.SourceArn).toBe('arn:aws:execute-api:us-east-1:1:abc/*');
});

it('refuses a $connect authorizer with neither a JWKS URL nor a secret', () => {
  expect(() => packageWith({ TOPICSOCKET_JWKS_URL: '', TOPICSOCKET_JWT_SECRET: ' ' }, {})).toThrow(
    /neither TOPICSOCKET_JWKS_URL nor TOPICSOCKET_JWT_SECRET/,
  );
  expect(() =>
    packageWith({ TOPICSOCKET_JWT_SECRET: 'a-secret-of-at-least-32-bytes-long!' }, {}),
  ).not.toThrow();
});
