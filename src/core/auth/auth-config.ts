import { AuthEnvironment, parseRate } from '../config-env.ts';
import type { RateLimit } from '../limits/index.ts';
import type { AuthOptions } from './auth-options.ts';
import { JwtVerifier } from './jwt-verifier.ts';
import { patternProblem } from './topic-permissions.ts';

/** The auth variables' names live with every other variable's (../config-env.ts). */
export { AuthEnvironment };

export interface AuthConfig {
  auth: AuthOptions;
  /** Publish API keys (empty: only bearer JWTs, or nobody). */
  apiKeys: string[];
  /** Undefined: the broker default. */
  publishRate?: RateLimit | false;
  /** One line, safe to print: which mode and key sources are in use (never a secret). */
  summary: string;
}

export class AuthConfigError extends Error {
  override readonly name = 'AuthConfigError';
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads auth configuration from the environment; throws one AuthConfigError naming every bad variable.
 * `defaultMode` applies when TOPICSOCKET_AUTH is unset: the Lambda passes `required` (a deployed stack is
 * never open by accident), the dev server passes `open` only when no key source is configured.
 */
export function loadAuthConfig(env: Env, defaultMode: 'required' | 'open'): AuthConfig {
  const V = AuthEnvironment;
  const problems: string[] = [];
  const text = (name: string) => env[name]?.trim() || undefined;
  const list = (name: string) => (text(name) ?? '').split(/[\s,]+/).filter((item) => item.length > 0);

  const rawMode = text(V.mode) ?? defaultMode;
  if (rawMode !== 'required' && rawMode !== 'open') problems.push(`${V.mode} must be "required" or "open"`);
  const mode = rawMode === 'open' ? 'open' : 'required';

  const secrets = [text(V.jwtSecret), text(V.jwtPreviousSecret)].filter((s): s is string => s !== undefined);
  const jwksUrl = text(V.jwksUrl);
  let verifier: JwtVerifier | undefined;
  if (secrets.length > 0 || jwksUrl) {
    try {
      const issuer = list(V.issuer);
      const audience = list(V.audience);
      const algorithms = list(V.algorithms);
      const audienceClaim = text(V.audienceClaim);
      verifier = new JwtVerifier({
        ...(secrets.length > 0 ? { secret: secrets } : {}),
        ...(jwksUrl ? { jwksUrl } : {}),
        ...(issuer.length > 0 ? { issuer } : {}),
        ...(audience.length > 0 ? { audience } : {}),
        ...(algorithms.length > 0 ? { asymmetricAlgorithms: algorithms } : {}),
        ...(audienceClaim ? { audienceClaim } : {}),
      });
    } catch (error) {
      problems.push(`JWT settings: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  const patterns = (name: string) => {
    const values = list(name);
    for (const pattern of values) {
      const problem = patternProblem(pattern.replaceAll('{sub}', 'sub'));
      if (problem) problems.push(`${name}: "${pattern}": ${problem}`);
    }
    return values;
  };
  const defaultPolicy = { subscribe: patterns(V.defaultSubscribe), publish: patterns(V.defaultPublish) };
  const claimNames = {
    ...(text(V.subscribeClaim) ? { subscribe: text(V.subscribeClaim) as string } : {}),
    ...(text(V.publishClaim) ? { publish: text(V.publishClaim) as string } : {}),
  };

  const apiKeys = (text(V.apiKeys) ?? '')
    .split(',')
    .map((key) => key.trim())
    .filter((key) => key.length > 0);
  if (apiKeys.some((key) => key.length < 16)) problems.push(`${V.apiKeys}: every key needs 16+ characters`);

  let publishRate: RateLimit | false | undefined;
  const rate = text(V.publishRate);
  if (rate) {
    const parsed = parseRate(rate);
    if ('value' in parsed) publishRate = parsed.value;
    else problems.push(`${V.publishRate} ${parsed.problem}`);
  }

  if (problems.length > 0)
    throw new AuthConfigError(`Invalid topicsocket auth configuration: ${problems.join('; ')}`);

  const auth: AuthOptions = {
    mode,
    ...(verifier ? { verifier } : {}),
    permissions: { defaultPolicy, claimNames },
  };
  const sources = [
    secrets.length > 0 ? `HS256 secret${secrets.length > 1 ? 's (rotation)' : ''}` : undefined,
    jwksUrl ? `JWKS ${new URL(jwksUrl).host}` : undefined,
  ].filter(Boolean);
  const summary =
    mode === 'open'
      ? 'auth OPEN: anyone may connect, subscribe and publish to any topic'
      : `auth required (${sources.length > 0 ? sources.join(' + ') : 'Lambda authorizer context only'})`;
  return { auth, apiKeys, ...(publishRate === undefined ? {} : { publishRate }), summary };
}
