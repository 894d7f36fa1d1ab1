import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JwtVerifier } from '../../../src/core/auth/index.ts';
import {
  AUDIENCE,
  hsToken,
  ISSUER,
  JwksServer,
  noneToken,
  SECRET,
  tamper,
} from '../../security/support/tokens.ts';

const now = () => Math.floor(Date.now() / 1000);

describe('JwtVerifier with an HS256 secret', () => {
  const verifier = new JwtVerifier({ secret: SECRET, issuer: ISSUER, audience: AUDIENCE });

  it('accepts a valid token and returns its claims and expiry', async () => {
    const exp = now() + 300;
    const result = await verifier.verify(await hsToken({ exp, publish: ['chat/*'] }));
    expect(result).toMatchObject({
      ok: true,
      expiresAt: exp,
      claims: { sub: 'user-1', publish: ['chat/*'] },
    });
  });

  it.each([
    ['no token', async () => undefined, 'missing'],
    ['garbage', async () => 'not-a-jwt', 'malformed'],
    ['expired', () => hsToken({ exp: now() - 60 }), 'expired'],
    ['not yet valid', () => hsToken({ nbf: now() + 600 }), 'not_yet_valid'],
    ['wrong issuer', () => hsToken({ iss: 'https://evil.test' }), 'claim_mismatch'],
    ['wrong audience', () => hsToken({ aud: 'someone-else' }), 'claim_mismatch'],
    ['no exp', () => hsToken({ exp: undefined }), 'claim_mismatch'],
    ['another secret', () => hsToken({}, 'another-secret-that-is-at-least-32-bytes!!'), 'bad_signature'],
    ['alg none', async () => noneToken(), 'algorithm_not_allowed'],
    ['tampered claims', async () => tamper(await hsToken(), { publish: ['*'] }), 'bad_signature'],
    ['an oversized token', async () => `${await hsToken()}${'A'.repeat(9000)}`, 'malformed'],
  ])('refuses %s', async (_name, token, reason) => {
    expect(await verifier.verify(await token())).toMatchObject({ ok: false, reason });
  });

  it('never puts the token in its refusal message', async () => {
    const token = await hsToken({ exp: now() - 60 });
    const result = await verifier.verify(token);
    expect(JSON.stringify(result)).not.toContain(token.split('.')[1]);
  });

  it('accepts tokens signed with any of several secrets (rotation)', async () => {
    const rotating = new JwtVerifier({ secret: ['new-secret-that-is-at-least-32-bytes-long', SECRET] });
    expect((await rotating.verify(await hsToken())).ok).toBe(true);
  });

  it('refuses weak configuration', () => {
    expect(() => new JwtVerifier({ secret: 'short' })).toThrow(/32 bytes/);
    expect(() => new JwtVerifier({})).toThrow(/secret|jwks/i);
    expect(() => new JwtVerifier({ jwksUrl: 'https://idp.test/jwks' })).toThrow(/issuer/);
    expect(() => new JwtVerifier({ jwksUrl: 'http://idp.test/jwks', issuer: ISSUER })).toThrow(/https/);
    expect(
      () => new JwtVerifier({ jwksUrl: 'https://x/j', issuer: ISSUER, asymmetricAlgorithms: ['HS256'] }),
    ).toThrow();
  });
});

describe('JwtVerifier with a JWKS URL', () => {
  const jwks = new JwksServer();
  beforeAll(() => jwks.start());
  afterAll(() => jwks.stop());

  it('accepts RS256 and ES256 tokens and caches the key set', async () => {
    const verifier = new JwtVerifier({ jwksUrl: jwks.url, issuer: ISSUER, audience: AUDIENCE });
    const before = jwks.fetches;
    for (let i = 0; i < 5; i++) {
      expect((await verifier.verify(await jwks.rsToken())).ok).toBe(true);
      expect((await verifier.verify(await jwks.esToken())).ok).toBe(true);
    }
    expect(jwks.fetches - before).toBe(1);
  });

  it('refuses HS/RS confusion, alg none and unknown keys', async () => {
    const jwksOnly = new JwtVerifier({ jwksUrl: jwks.url, issuer: ISSUER, audience: AUDIENCE });
    const both = new JwtVerifier({ jwksUrl: jwks.url, secret: SECRET, issuer: ISSUER, audience: AUDIENCE });
    const confusion = await jwks.confusionToken();
    expect(await jwksOnly.verify(confusion)).toMatchObject({ ok: false, reason: 'algorithm_not_allowed' });
    // With a secret configured too, HS256 meets only the secret, never the public key.
    expect(await both.verify(confusion)).toMatchObject({ ok: false, reason: 'bad_signature' });
    expect(await jwksOnly.verify(noneToken())).toMatchObject({ ok: false, reason: 'algorithm_not_allowed' });
    expect(await jwksOnly.verify(await jwks.rsToken({}, 'unknown-kid'))).toMatchObject({
      ok: false,
      reason: 'unknown_key',
    });
    expect(await jwksOnly.verify(tamper(await jwks.rsToken(), { sub: 'admin' }))).toMatchObject({
      ok: false,
      reason: 'bad_signature',
    });
  });

  it('checks audience in client_id for Cognito access tokens', async () => {
    const verifier = new JwtVerifier({
      jwksUrl: jwks.url,
      issuer: ISSUER,
      audience: 'app',
      audienceClaim: 'client_id',
    });
    expect((await verifier.verify(await jwks.rsToken({ aud: undefined, client_id: 'app' }))).ok).toBe(true);
    expect(await verifier.verify(await jwks.rsToken({ aud: undefined, client_id: 'other' }))).toMatchObject({
      ok: false,
      reason: 'claim_mismatch',
    });
  });

  it('reports an unreachable key set as unavailable (retryable), not as a bad token', async () => {
    jwks.failing = true;
    try {
      const verifier = new JwtVerifier({ jwksUrl: jwks.url, issuer: ISSUER });
      expect(await verifier.verify(await jwks.rsToken())).toMatchObject({ ok: false, reason: 'unavailable' });
    } finally {
      jwks.failing = false;
    }
  });
});
