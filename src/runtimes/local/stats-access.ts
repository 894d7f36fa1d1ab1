import { createHash, timingSafeEqual } from 'node:crypto';
import type { AuthOptions } from '../../core/auth/index.ts';
import type { PublishApiAuth } from '../../core/publish-api/index.ts';

export type StatsAccess = { ok: true } | { ok: false; status: 401 | 503; message: string };

export type StatsAccessCheck = (
  headers: Record<string, string | string[] | undefined>,
) => Promise<StatsAccess>;

/**
 * Who may read `GET /stats`: anyone in open dev mode (connections open and no API keys), otherwise a caller
 * with what `POST /publish` accepts: one of its API keys (`x-api-key` or `Authorization: Bearer`) or a
 * bearer JWT its verifier accepts. The figures reveal little, but a server that asks for credentials
 * should not hand out its activity to whoever asks.
 */
export function statsAccess(
  auth: AuthOptions | undefined,
  publishAuth: PublishApiAuth | undefined,
): StatsAccessCheck {
  const apiKeys = (publishAuth?.apiKeys ?? []).map(digest);
  const open = (auth === undefined || auth.mode === 'open') && apiKeys.length === 0;
  // The publish API's verifier when it is configured; without one, the connections' (a valid connect token).
  const verifier = publishAuth ? publishAuth.verifier : auth?.verifier;
  return async (headers) => {
    if (open || publishAuth?.open) return { ok: true };
    const header = (name: string) => {
      const value = headers[name];
      return (Array.isArray(value) ? value[0] : value)?.trim();
    };
    const bearer = /^Bearer\s+(\S+)$/i.exec(header('authorization') ?? '')?.[1];
    const presented = header('x-api-key') || bearer;
    if (presented && apiKeys.length > 0) {
      const candidate = digest(presented);
      // Fixed-length digests compared in constant time, as the publish API does.
      if (apiKeys.some((known) => timingSafeEqual(known, candidate))) return { ok: true };
    }
    if (bearer && verifier) {
      const verified = await verifier.verify(bearer);
      if (verified.ok) return { ok: true };
      if (verified.reason === 'unavailable') return { ok: false, status: 503, message: verified.message };
      return { ok: false, status: 401, message: verified.message };
    }
    return { ok: false, status: 401, message: presented ? 'invalid credentials' : 'credentials required' };
  };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
