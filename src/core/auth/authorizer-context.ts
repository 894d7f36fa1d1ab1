import type { JsonValue } from '../../protocol/index.ts';
import type { PermissionsConfig } from './topic-permissions.ts';

export type Claims = { [key: string]: JsonValue };

/**
 * What a Lambda authorizer returns as `context`. API Gateway allows only string, number and boolean values
 * there (and 8 KB in all), so the claims travel as one JSON string, trimmed to what the broker needs.
 */
export interface AuthorizerContext {
  claims: string;
  /** Epoch seconds. */
  exp: number;
  [key: string]: string | number | boolean;
}

/** Registered claims worth keeping beyond the permission claims; everything else (PII) is dropped. */
// `jti` tells apart tokens without `sub` (principal.ts).
const KEPT_CLAIMS = ['sub', 'iss', 'aud', 'exp', 'nbf', 'iat', 'jti', 'client_id', 'scope'];

/** Only the claims the broker reads: identity, validity and permissions. */
export function essentialClaims(claims: Claims, permissions: PermissionsConfig = {}): Claims {
  const keep = new Set([
    ...KEPT_CLAIMS,
    permissions.claimNames?.subscribe ?? 'subscribe',
    permissions.claimNames?.publish ?? 'publish',
    permissions.claimNames?.presence ?? 'presence',
  ]);
  const out: Claims = {};
  for (const [name, value] of Object.entries(claims)) if (keep.has(name)) out[name] = value;
  return out;
}

export function toAuthorizerContext(claims: Claims, expiresAt: number): AuthorizerContext {
  return { claims: JSON.stringify(claims), exp: expiresAt };
}

/**
 * Verified claims from `requestContext.authorizer`, present on every route of a connection whose
 * `$connect` passed a Lambda authorizer. Undefined when there is none or it is not ours.
 */
export function claimsFromAuthorizer(requestContext: unknown): Claims | undefined {
  const authorizer = (requestContext as { authorizer?: unknown } | undefined)?.authorizer;
  if (!authorizer || typeof authorizer !== 'object') return undefined;
  const raw = (authorizer as { claims?: unknown }).claims;
  if (typeof raw !== 'string') return undefined;
  try {
    const parsed: unknown = JSON.parse(raw);
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
    const claims = parsed as Claims;
    return typeof claims.exp === 'number' ? claims : undefined;
  } catch {
    return undefined;
  }
}
