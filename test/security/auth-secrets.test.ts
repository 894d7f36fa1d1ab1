/**
 * Auth secrets on AWS come from Secrets Manager or an SSM SecureString, through Powertools Parameters and
 * the real SDK clients, against a local stand-in speaking the services' wire protocol: the HS256 secret
 * in the secret verifies tokens, the value is fetched once per cold start (cached), a rotation is picked up
 * after the cache age, and a bad or missing secret fails clearly instead of running open.
 */
import type { APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadAuthConfig } from '../../src/core/auth/index.ts';
import {
  AuthSecretEnvironment,
  authSecretSource,
  parseAuthSecret,
  SecretMaxAgeSeconds,
  withAuthSecrets,
} from '../../src/runtimes/aws/auth-secrets.ts';
import { createConnectAuthorizer } from '../../src/runtimes/aws/connect-authorizer.ts';
import {
  AwsSecretsEndpoint,
  secretsEndpointEnvironment,
  TestParameterArn,
  TestSecretArn,
} from '../support/aws-secrets-endpoint.ts';
import { hsToken, ISSUER } from './support/tokens.ts';

const METHOD_ARN = 'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/$connect';
const ROTATED = 'rotated-secret-that-is-also-at-least-32-bytes!';
const FIRST = 'first-secret-from-secrets-manager-32-bytes-long';

const endpoint = new AwsSecretsEndpoint();
const saved = { ...process.env };

beforeAll(async () => {
  await endpoint.start();
  Object.assign(process.env, secretsEndpointEnvironment(endpoint.url));
});
afterAll(async () => {
  process.env = saved;
  await endpoint.stop();
});
afterEach(() => {
  vi.useRealTimers();
  endpoint.requests.length = 0;
});

const connect = (token: string) =>
  ({
    type: 'REQUEST',
    methodArn: METHOD_ARN,
    headers: {},
    queryStringParameters: { token },
  }) as unknown as APIGatewayRequestAuthorizerEvent;

const authorizerFrom = (env: Record<string, string>) =>
  withAuthSecrets(env, (settings) => createConnectAuthorizer(loadAuthConfig(settings, 'required')));

describe('auth secrets from Secrets Manager (Powertools Parameters, real SDK client)', () => {
  it('verifies tokens with the secret, fetched once per container with a signed GetSecretValue', async () => {
    endpoint.secrets.set(TestSecretArn, JSON.stringify({ TOPICSOCKET_JWT_SECRET: FIRST }));
    const authorizer = authorizerFrom({
      [AuthSecretEnvironment.secretArn]: TestSecretArn,
      TOPICSOCKET_JWT_ISSUER: ISSUER,
    });
    const allowed = await authorizer(connect(await hsToken({}, FIRST)));
    expect(allowed.principalId).toBe('user-1');
    await expect(authorizer(connect(await hsToken({}, ROTATED)))).rejects.toThrow(/^Unauthorized$/);
    await authorizer(connect(await hsToken({}, FIRST)));
    // The cold-start fetch and three invocations: one request, for exactly that secret, signed for the service.
    expect(endpoint.requests).toEqual([
      {
        target: 'secretsmanager.GetSecretValue',
        body: { SecretId: TestSecretArn },
        signedFor: 'secretsmanager',
      },
    ]);
  });

  it('picks up a rotation once the cached value is older than SecretMaxAgeSeconds', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    endpoint.secrets.set(TestSecretArn, JSON.stringify({ TOPICSOCKET_JWT_SECRET: FIRST }));
    const authorizer = authorizerFrom({ [AuthSecretEnvironment.secretArn]: TestSecretArn });
    await authorizer(connect(await hsToken({}, FIRST)));
    endpoint.secrets.set(
      TestSecretArn,
      JSON.stringify({ TOPICSOCKET_JWT_SECRET: ROTATED, TOPICSOCKET_JWT_SECRET_PREVIOUS: FIRST }),
    );
    await expect(authorizer(connect(await hsToken({}, ROTATED)))).rejects.toThrow(/^Unauthorized$/);
    vi.setSystemTime(Date.now() + (SecretMaxAgeSeconds + 1) * 1000);
    expect((await authorizer(connect(await hsToken({}, ROTATED)))).principalId).toBe('user-1');
    expect((await authorizer(connect(await hsToken({}, FIRST)))).principalId).toBe('user-1');
    expect(endpoint.requests).toHaveLength(2);
  });

  it('fails the invocation (never runs open) while the secret cannot be read, and recovers on the next', async () => {
    const missing = TestSecretArn.replace('AbCdEf', 'Gone00');
    const authorizer = authorizerFrom({ [AuthSecretEnvironment.secretArn]: missing });
    const token = await hsToken({}, FIRST);
    await expect(authorizer(connect(token))).rejects.toThrow(/can't find the specified secret/);
    endpoint.secrets.set(missing, JSON.stringify({ TOPICSOCKET_JWT_SECRET: FIRST }));
    expect((await authorizer(connect(token))).principalId).toBe('user-1');
  });
});

describe('auth secrets from an SSM SecureString', () => {
  it('asks for the decrypted value of exactly that parameter and verifies with it', async () => {
    endpoint.parameters.set(TestParameterArn, JSON.stringify({ TOPICSOCKET_JWT_SECRET: FIRST }));
    const authorizer = authorizerFrom({ [AuthSecretEnvironment.parameterArn]: TestParameterArn });
    expect((await authorizer(connect(await hsToken({}, FIRST)))).principalId).toBe('user-1');
    expect(endpoint.requests).toEqual([
      {
        target: 'AmazonSSM.GetParameter',
        body: { Name: TestParameterArn, WithDecryption: true },
        signedFor: 'ssm',
      },
    ]);
  });
});

describe('auth secret source and value', () => {
  it('takes one full ARN, and refuses plain secrets next to it', () => {
    expect(authSecretSource({})).toEqual({ kind: 'none' });
    expect(authSecretSource({ [AuthSecretEnvironment.parameterArn]: TestParameterArn })).toEqual({
      kind: 'ssm',
      arn: TestParameterArn,
    });
    expect(() =>
      authSecretSource({
        [AuthSecretEnvironment.secretArn]: TestSecretArn,
        [AuthSecretEnvironment.parameterArn]: TestParameterArn,
      }),
    ).toThrow(/not both/);
    expect(() => authSecretSource({ [AuthSecretEnvironment.secretArn]: 'topicsocket/auth' })).toThrow(
      /full secrets-manager ARN/,
    );
    expect(() =>
      authSecretSource({
        [AuthSecretEnvironment.secretArn]: TestSecretArn,
        TOPICSOCKET_API_KEYS: 'k'.repeat(20),
      }),
    ).toThrow(/TOPICSOCKET_API_KEYS must live in the secret/);
  });

  it('reads a JSON object of the secret variables only', () => {
    expect(parseAuthSecret('{"TOPICSOCKET_API_KEYS":"a,b"}')).toEqual({ TOPICSOCKET_API_KEYS: 'a,b' });
    expect(() => parseAuthSecret('plain-secret')).toThrow(/not JSON/);
    expect(() => parseAuthSecret('["x"]')).toThrow(/JSON object/);
    expect(() => parseAuthSecret('{"TOPICSOCKET_AUTH":"open"}')).toThrow(/unknown key "TOPICSOCKET_AUTH"/);
    expect(() => parseAuthSecret('{"TOPICSOCKET_JWT_SECRET":1}')).toThrow(/must be a string/);
  });

  it('keeps environment variables when no secret source is set (local dev), building at once', () => {
    const build = vi.fn((settings: Record<string, string | undefined>) => {
      expect(settings.TOPICSOCKET_JWT_SECRET).toBe(FIRST);
      return async () => 'ok';
    });
    withAuthSecrets({ TOPICSOCKET_JWT_SECRET: FIRST }, build);
    expect(build).toHaveBeenCalledTimes(1);
  });
});
