import type { APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAuthConfig } from '../../src/core/auth/index.ts';
import { tokenSubprotocols } from '../../src/protocol/index.ts';
import { createConnectAuthorizer } from '../../src/runtimes/aws/connect-authorizer.ts';
import { AUDIENCE, hsToken, ISSUER, JwksServer, SECRET } from './support/tokens.ts';

const METHOD_ARN = 'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/$connect';

function request(
  headers: Record<string, string>,
  query?: Record<string, string>,
): APIGatewayRequestAuthorizerEvent {
  return {
    type: 'REQUEST',
    methodArn: METHOD_ARN,
    headers,
    queryStringParameters: query ?? null,
  } as unknown as APIGatewayRequestAuthorizerEvent;
}

describe('security: $connect REQUEST authorizer', () => {
  const jwks = new JwksServer();
  beforeAll(() => jwks.start());
  afterAll(() => jwks.stop());

  const authorizer = createConnectAuthorizer(
    loadAuthConfig({ TOPICSOCKET_JWT_SECRET: SECRET, TOPICSOCKET_JWT_ISSUER: ISSUER }, 'required'),
  );

  it('allows exactly the method ARN and passes trimmed claims as scalar context', async () => {
    const token = await hsToken({ subscribe: ['a/*'], email: 'pii@example.com' });
    const result = await authorizer(
      request({ 'Sec-WebSocket-Protocol': tokenSubprotocols(token).join(', ') }),
    );
    expect(result.principalId).toBe('user-1');
    expect(result.policyDocument.Statement).toEqual([
      { Action: 'execute-api:Invoke', Effect: 'Allow', Resource: METHOD_ARN },
    ]);
    for (const value of Object.values(result.context ?? {}))
      expect(['string', 'number']).toContain(typeof value);
    const claims = JSON.parse(String(result.context?.claims));
    expect(claims).toMatchObject({ sub: 'user-1', subscribe: ['a/*'], aud: AUDIENCE });
    expect(claims.email).toBeUndefined();
    expect(JSON.stringify(result)).not.toContain(token);
  });

  it('answers Unauthorized (401) for a bad token and for claims too large for an authorizer result', async () => {
    await expect(authorizer(request({}, { token: 'nope' }))).rejects.toThrow(/^Unauthorized$/);
    await expect(authorizer(request({}))).rejects.toThrow(/^Unauthorized$/);
    const huge = await hsToken({ subscribe: Array.from({ length: 400 }, (_, i) => `topic/number-${i}`) });
    await expect(authorizer(request({}, { token: huge }))).rejects.toThrow(/^Unauthorized$/);
  });

  it('fails (500, retryable) rather than 401 when the key set cannot be fetched', async () => {
    jwks.failing = true;
    try {
      const remote = createConnectAuthorizer(
        loadAuthConfig({ TOPICSOCKET_JWKS_URL: jwks.url, TOPICSOCKET_JWT_ISSUER: ISSUER }, 'required'),
      );
      const error = await remote(request({}, { token: await jwks.rsToken() })).catch(
        (caught: Error) => caught,
      );
      expect((error as Error).message).not.toBe('Unauthorized');
    } finally {
      jwks.failing = false;
    }
  });

  it('refuses to start without a key source', () => {
    expect(() => createConnectAuthorizer(loadAuthConfig({}, 'required'))).toThrow(/SECRET|JWKS/);
  });
});
