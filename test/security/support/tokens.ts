import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  base64url,
  exportJWK,
  exportSPKI,
  type GenerateKeyPairResult,
  generateKeyPair,
  type JWTPayload,
  SignJWT,
} from 'jose';

export const SECRET = 'test-secret-that-is-at-least-32-bytes-long!';
export const ISSUER = 'https://issuer.test';
export const AUDIENCE = 'topicsocket-test';

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** An HS256 token with sane defaults (iss, aud, exp in 10 min); `claims` override or add. */
export async function hsToken(claims: JWTPayload = {}, secret = SECRET): Promise<string> {
  return new SignJWT({ iss: ISSUER, aud: AUDIENCE, sub: 'user-1', exp: nowSeconds() + 600, ...claims })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .sign(new TextEncoder().encode(secret));
}

/** An unsigned token (`alg: none`), as an attacker would hand-craft it. */
export function noneToken(claims: JWTPayload = {}): string {
  const header = base64url.encode(JSON.stringify({ alg: 'none', typ: 'JWT' }));
  const payload = base64url.encode(
    JSON.stringify({ iss: ISSUER, aud: AUDIENCE, sub: 'user-1', exp: nowSeconds() + 600, ...claims }),
  );
  return `${header}.${payload}.`;
}

/** The token with its payload replaced (signature kept): a tampered token. */
export function tamper(token: string, claims: JWTPayload): string {
  const [header, payload, signature] = token.split('.') as [string, string, string];
  const original = JSON.parse(new TextDecoder().decode(base64url.decode(payload))) as JWTPayload;
  return `${header}.${base64url.encode(JSON.stringify({ ...original, ...claims }))}.${signature}`;
}

/** An RSA + an EC key pair served as a JWKS by a local HTTP server that counts its fetches. */
export class JwksServer {
  fetches = 0;
  /** When set, the server answers 500 (an IdP outage). */
  failing = false;
  private server: Server | undefined;
  private keys!: { rsa: GenerateKeyPairResult; ec: GenerateKeyPairResult; jwks: unknown };
  url = '';
  rsaPublicPem = '';

  async start(): Promise<void> {
    const rsa = await generateKeyPair('RS256', { extractable: true });
    const ec = await generateKeyPair('ES256', { extractable: true });
    const rsaJwk = { ...(await exportJWK(rsa.publicKey)), kid: 'rsa-1', alg: 'RS256', use: 'sig' };
    const ecJwk = { ...(await exportJWK(ec.publicKey)), kid: 'ec-1', alg: 'ES256', use: 'sig' };
    this.keys = { rsa, ec, jwks: { keys: [rsaJwk, ecJwk] } };
    this.rsaPublicPem = await exportSPKI(rsa.publicKey);
    this.server = createServer((_request, response) => {
      this.fetches++;
      if (this.failing) {
        response.writeHead(500).end();
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(this.keys.jwks));
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}/.well-known/jwks.json`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async rsToken(claims: JWTPayload = {}, kid = 'rsa-1'): Promise<string> {
    return new SignJWT({ iss: ISSUER, aud: AUDIENCE, sub: 'user-1', exp: nowSeconds() + 600, ...claims })
      .setProtectedHeader({ alg: 'RS256', kid })
      .sign(this.keys.rsa.privateKey);
  }

  async esToken(claims: JWTPayload = {}): Promise<string> {
    return new SignJWT({ iss: ISSUER, aud: AUDIENCE, sub: 'user-1', exp: nowSeconds() + 600, ...claims })
      .setProtectedHeader({ alg: 'ES256', kid: 'ec-1' })
      .sign(this.keys.ec.privateKey);
  }

  /** HS256 "signed" with the RSA public key as the HMAC secret: the classic algorithm-confusion attack. */
  async confusionToken(claims: JWTPayload = {}): Promise<string> {
    return new SignJWT({ iss: ISSUER, aud: AUDIENCE, sub: 'user-1', exp: nowSeconds() + 600, ...claims })
      .setProtectedHeader({ alg: 'HS256', kid: 'rsa-1' })
      .sign(new TextEncoder().encode(this.rsaPublicPem));
  }
}
