import type { AuthOptions } from '../../core/auth/index.ts';
import { CallerAuthenticator, type PublishApiAuth } from '../../core/publish-api/index.ts';

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
  const open = (auth === undefined || auth.mode === 'open') && (publishAuth?.apiKeys ?? []).length === 0;
  // The publish API's rules when it is configured; without it, the connections' verifier (a valid connect token).
  const callers = new CallerAuthenticator(publishAuth ?? (auth?.verifier ? { verifier: auth.verifier } : {}));
  return async (headers) => {
    if (open || publishAuth?.open) return { ok: true };
    const caller = await callers.authenticate(headers);
    if ('principal' in caller) return { ok: true };
    return { ok: false, status: caller.code === 'unavailable' ? 503 : 401, message: caller.message };
  };
}
