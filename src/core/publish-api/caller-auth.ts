import { createHash, timingSafeEqual } from 'node:crypto';
import type { ErrorCode } from '../../protocol/index.ts';
import type { TokenVerifier } from '../auth/jwt-verifier.ts';
import { principalOf } from '../auth/principal.ts';
import {
  OPEN_POLICY,
  type PermissionsConfig,
  resolvePolicy,
  type TopicPolicy,
} from '../auth/topic-permissions.ts';

/** Who may call the HTTP APIs (`POST /publish`, `GET /stats`). With none of these set, every caller is refused. */
export interface PublishApiAuth {
  /** Accepted API keys (`x-api-key: KEY` or `Authorization: Bearer KEY`); they may publish to any topic. */
  apiKeys?: readonly string[];
  /** Accepts `Authorization: Bearer <JWT>`; the token's publish permissions apply. */
  verifier?: TokenVerifier;
  permissions?: PermissionsConfig;
  /** No authentication at all (dev only). */
  open?: boolean;
}

export type CallerIdentity = { principal: string; policy: TopicPolicy };
export type CallerRefusal = { code: Extract<ErrorCode, 'unauthorized' | 'unavailable'>; message: string };

/**
 * Authenticates an HTTP caller by API key or bearer JWT: the one check behind every HTTP route that asks for
 * credentials, so the rules cannot drift between them.
 */
export class CallerAuthenticator {
  private readonly apiKeyDigests: Buffer[];

  constructor(private readonly auth: PublishApiAuth) {
    if ((auth.apiKeys ?? []).some((key) => key.length < 16)) {
      throw new Error('publish API keys must be at least 16 characters');
    }
    this.apiKeyDigests = (auth.apiKeys ?? []).map(digest);
  }

  async authenticate(
    headers: Record<string, string | string[] | undefined>,
  ): Promise<CallerIdentity | CallerRefusal> {
    const header = (name: string) => {
      const value = Object.entries(headers).find(([key]) => key.toLowerCase() === name)?.[1];
      return (Array.isArray(value) ? value[0] : value)?.trim();
    };
    const bearer = /^Bearer\s+(\S+)$/i.exec(header('authorization') ?? '')?.[1];
    const presented = header('x-api-key') || bearer;
    if (presented && this.apiKeyDigests.length > 0) {
      const candidate = digest(presented);
      // Constant-time comparison of fixed-length digests: no timing hint about the keys.
      if (this.apiKeyDigests.some((known) => timingSafeEqual(known, candidate))) {
        return { principal: `key:${candidate.toString('hex').slice(0, 16)}`, policy: OPEN_POLICY };
      }
    }
    if (bearer && this.auth.verifier) {
      const verified = await this.auth.verifier.verify(bearer);
      if (verified.ok) {
        const policy = resolvePolicy(verified.claims, this.auth.permissions);
        // Tokens without `sub` get a digest of all their claims, never one namespace shared by all of them.
        return { principal: principalOf(verified.claims), policy };
      }
      if (verified.reason === 'unavailable') return { code: 'unavailable', message: verified.message };
      return { code: 'unauthorized', message: verified.message };
    }
    if (this.auth.open) return { principal: 'open', policy: OPEN_POLICY };
    return { code: 'unauthorized', message: presented ? 'invalid credentials' : 'credentials required' };
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
