import { createHash } from 'node:crypto';
import type { Claims } from './authorizer-context.ts';

/**
 * Who a verified token speaks for, as one string: the namespace of its idempotency keys and its rate bucket.
 * `iss` + `sub` when the token has a non-empty string `sub`. A token without one cannot be told apart from
 * another with the same claims, so it is identified by a digest of all its (essential) claims: two different
 * such tokens never share a namespace or a bucket, at the price that a refreshed token is a new identity
 * (docs/security.md). Fixed length either way, so a long `sub` cannot push a store key past its limit.
 */
export function principalOf(claims: Claims): string {
  const sub = claims.sub;
  const subject = typeof sub === 'string' && sub.length > 0 ? ['sub', claims.iss ?? null, sub] : claims;
  return `${subject === claims ? 'claims' : 'sub'}:${digest(canonicalJson(subject))}`;
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('base64url').slice(0, 32);
}

/** JSON with object keys sorted, so equal claim sets always give the same digest. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
