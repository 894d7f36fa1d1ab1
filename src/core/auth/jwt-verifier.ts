import {
  createRemoteJWKSet,
  decodeProtectedHeader,
  errors,
  type JWTPayload,
  type JWTVerifyGetKey,
  jwtVerify,
} from 'jose';
import type { JsonValue } from '../../protocol/index.ts';

/** How tokens are verified. At least one of `secret` (HS256) and `jwksUrl` (RS256/ES256) is required. */
export interface JwtConfig {
  /**
   * Shared HMAC secret(s) for HS256, at least 32 bytes each. Several are tried in order, so a secret can be
   * rotated without refusing tokens signed with the previous one.
   */
  secret?: string | readonly string[];
  /** JWKS endpoint of an identity provider, e.g. `https://cognito-idp.{region}.amazonaws.com/{poolId}/.well-known/jwks.json`. */
  jwksUrl?: string;
  /** Accepted `iss` value(s). Required with `jwksUrl`: a JWKS alone says nothing about who issued a token. */
  issuer?: string | readonly string[];
  /** Accepted audience value(s), checked in `audienceClaim`. */
  audience?: string | readonly string[];
  /** Claim holding the audience: `aud` (default), or `client_id` for Cognito access tokens. */
  audienceClaim?: string;
  /** Algorithms accepted with the JWKS. Default RS256 and ES256. HMAC and `none` are never accepted here. */
  asymmetricAlgorithms?: readonly string[];
  /** Slack for `exp`/`nbf` against clock skew. Default 5 s. */
  clockToleranceSeconds?: number;
  /** How long fetched JWKS keys are trusted before a refetch. Default 10 min. */
  jwksCacheMaxAgeMs?: number;
  /** Least time between two JWKS fetches (an unknown `kid` cannot make us hammer the IdP). Default 30 s. */
  jwksCooldownMs?: number;
  /** Give up on a JWKS fetch after this long. Default 5 s. */
  jwksTimeoutMs?: number;
  /** Tokens longer than this are refused before parsing. Default 8 KB. */
  maxTokenBytes?: number;
}

export type VerifiedToken = {
  ok: true;
  claims: { [key: string]: JsonValue };
  /** Epoch seconds of `exp` (always present: tokens without one are refused). */
  expiresAt: number;
};

export type RefusedToken = {
  ok: false;
  /** `unavailable`: the key source could not be reached, so retrying can help; every other reason is final. */
  reason:
    | 'missing'
    | 'malformed'
    | 'expired'
    | 'not_yet_valid'
    | 'claim_mismatch'
    | 'bad_signature'
    | 'algorithm_not_allowed'
    | 'unknown_key'
    | 'unavailable';
  /** Safe to log and to tell the client: never contains the token. */
  message: string;
};

export type TokenVerification = VerifiedToken | RefusedToken;

export interface TokenVerifier {
  verify(token: string | undefined): Promise<TokenVerification>;
}

const HMAC_ALGORITHMS = ['HS256'] as const;
const DEFAULT_ASYMMETRIC = ['RS256', 'ES256'] as const;
const MIN_SECRET_BYTES = 32;

/**
 * Verifies JWTs with jose. The token's `alg` header picks the key source, and each source has its own
 * allow-list: HS256 only ever meets the shared secret, RS256/ES256 only the JWKS. So `alg: none` and
 * algorithm confusion (an HS256 token "signed" with the public key) are refused before any key is used.
 * One instance per process: the JWKS cache lives in it (per Lambda container on AWS).
 */
export class JwtVerifier implements TokenVerifier {
  private readonly secrets: Uint8Array[];
  private readonly jwks: JWTVerifyGetKey | undefined;
  private readonly asymmetric: readonly string[];
  private readonly clockTolerance: number;
  private readonly maxTokenBytes: number;
  private readonly issuer: string[] | undefined;
  private readonly audience: string[] | undefined;
  private readonly audienceClaim: string;

  constructor(config: JwtConfig) {
    const secrets =
      config.secret === undefined ? [] : typeof config.secret === 'string' ? [config.secret] : config.secret;
    this.secrets = secrets.map((secret) => {
      const bytes = new TextEncoder().encode(secret);
      if (bytes.length < MIN_SECRET_BYTES) {
        throw new Error(`JWT secret must be at least ${MIN_SECRET_BYTES} bytes`);
      }
      return bytes;
    });
    if (this.secrets.length === 0 && !config.jwksUrl) {
      throw new Error('JWT auth needs a secret (HS256) or a jwksUrl (RS256/ES256)');
    }
    this.issuer = toList(config.issuer);
    this.audience = toList(config.audience);
    if (config.jwksUrl && !this.issuer) throw new Error('JWT auth with a jwksUrl needs an issuer');
    // Keys fetched in clear text could be swapped in transit: only loopback may use plain HTTP (tests, dev IdPs).
    if (config.jwksUrl) {
      const url = new URL(config.jwksUrl);
      const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
      if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
        throw new Error('jwksUrl must use https (plain http only on localhost)');
      }
    }
    this.asymmetric = config.asymmetricAlgorithms ?? DEFAULT_ASYMMETRIC;
    const bad = this.asymmetric.find((alg) => !/^(RS|PS|ES)(256|384|512)$|^EdDSA$|^Ed25519$/.test(alg));
    if (bad) throw new Error(`asymmetricAlgorithms may not contain ${bad}`);
    this.jwks = config.jwksUrl
      ? createRemoteJWKSet(new URL(config.jwksUrl), {
          cacheMaxAge: config.jwksCacheMaxAgeMs ?? 10 * 60_000,
          cooldownDuration: config.jwksCooldownMs ?? 30_000,
          timeoutDuration: config.jwksTimeoutMs ?? 5_000,
        })
      : undefined;
    this.clockTolerance = config.clockToleranceSeconds ?? 5;
    this.maxTokenBytes = config.maxTokenBytes ?? 8 * 1024;
    this.audienceClaim = config.audienceClaim ?? 'aud';
  }

  async verify(token: string | undefined): Promise<TokenVerification> {
    if (!token) return refuse('missing', 'no token');
    if (token.length > this.maxTokenBytes) return refuse('malformed', 'token is too long');
    let alg: unknown;
    try {
      alg = decodeProtectedHeader(token).alg;
    } catch {
      return refuse('malformed', 'token is not a JWS compact JWT');
    }
    if (typeof alg !== 'string') return refuse('malformed', 'token has no alg');

    if ((HMAC_ALGORITHMS as readonly string[]).includes(alg) && this.secrets.length > 0) {
      let last: RefusedToken = refuse('bad_signature', 'signature does not verify');
      for (const secret of this.secrets) {
        const outcome = await this.verifyWith(token, secret, HMAC_ALGORITHMS);
        // Only a bad signature means "try the next secret"; any other failure is the token's own.
        if (outcome.ok || outcome.reason !== 'bad_signature') return outcome;
        last = outcome;
      }
      return last;
    }
    if (this.jwks && this.asymmetric.includes(alg)) return this.verifyWith(token, this.jwks, this.asymmetric);
    return refuse('algorithm_not_allowed', `alg ${alg.slice(0, 16)} is not accepted`);
  }

  private async verifyWith(
    token: string,
    key: Uint8Array | JWTVerifyGetKey,
    algorithms: readonly string[],
  ): Promise<TokenVerification> {
    try {
      const options = {
        algorithms: [...algorithms],
        clockTolerance: this.clockTolerance,
        requiredClaims: ['exp'],
        ...(this.issuer ? { issuer: this.issuer } : {}),
        ...(this.audience && this.audienceClaim === 'aud' ? { audience: this.audience } : {}),
      };
      const { payload } =
        key instanceof Uint8Array
          ? await jwtVerify(token, key, options)
          : await jwtVerify(token, key, options);
      const problem = this.customAudienceProblem(payload);
      if (problem) return refuse('claim_mismatch', problem);
      if (typeof payload.exp !== 'number') return refuse('malformed', 'exp is not a number');
      return { ok: true, claims: payload as { [key: string]: JsonValue }, expiresAt: payload.exp };
    } catch (error) {
      return classify(error);
    }
  }

  /** Audience in a claim other than `aud` (Cognito access tokens carry `client_id`). */
  private customAudienceProblem(payload: JWTPayload): string | undefined {
    if (!this.audience || this.audienceClaim === 'aud') return undefined;
    const value = payload[this.audienceClaim];
    const values = Array.isArray(value) ? value : [value];
    return values.some((v) => typeof v === 'string' && this.audience?.includes(v))
      ? undefined
      : `unexpected "${this.audienceClaim}" claim value`;
  }
}

function classify(error: unknown): RefusedToken {
  if (error instanceof errors.JWTExpired) return refuse('expired', 'token has expired');
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf' || error.claim === 'iat')
      return refuse('not_yet_valid', 'token is not yet valid');
    return refuse('claim_mismatch', `unexpected or missing "${error.claim}" claim`);
  }
  if (error instanceof errors.JWSSignatureVerificationFailed)
    return refuse('bad_signature', 'signature does not verify');
  if (error instanceof errors.JOSEAlgNotAllowed)
    return refuse('algorithm_not_allowed', 'algorithm is not accepted');
  if (error instanceof errors.JWKSNoMatchingKey) return refuse('unknown_key', 'no key matches the token');
  if (error instanceof errors.JWKSTimeout) return refuse('unavailable', 'key set fetch timed out');
  if (error instanceof errors.JWKSInvalid) return refuse('unavailable', 'key set is invalid');
  // jose reports a JWKS endpoint that answers non-200 or non-JSON with the generic error class.
  if (error instanceof errors.JOSEError && error.code === 'ERR_JOSE_GENERIC') {
    return refuse('unavailable', 'key set could not be fetched');
  }
  if (error instanceof errors.JOSEError) return refuse('malformed', 'token is invalid');
  // fetch failures of the JWKS endpoint (network, non-200) surface as plain errors.
  return refuse('unavailable', 'key set could not be fetched');
}

function refuse(reason: RefusedToken['reason'], message: string): RefusedToken {
  return { ok: false, reason, message };
}

function toList(value: string | readonly string[] | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const list = typeof value === 'string' ? [value] : [...value];
  return list.length > 0 ? list : undefined;
}
