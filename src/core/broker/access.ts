import {
  type Claims,
  claimsFromAuthorizer,
  essentialClaims,
  OPEN_POLICY,
  principalOf,
  resolvePolicy,
  type TopicPolicy,
} from '../auth/index.ts';
import type { WebSocketEvent } from '../events.ts';
import type { ConnectionRecord } from '../ports/index.ts';
import type { BrokerContext } from './context.ts';

/** What a connection may do, as its verified claims say. `expiresAt` (epoch seconds) is its token's expiry. */
export interface Access {
  policy: TopicPolicy;
  expiresAt?: number;
  /** Whose idempotency keys these are (core/auth/principal.ts); `anonymous` when auth is off. */
  principal: () => string;
  /** The verified claims the policy came from (hooks get them as `ctx.claims`); absent in open mode. */
  claims?: Claims;
  /** The connection record, when resolving access read it anyway (hooks read `user` from it then). */
  record?: ConnectionRecord;
}

const anonymous = () => 'anonymous';

/** The connection's permissions, from the Lambda authorizer's context or else its stored claims. */
export async function accessOf(
  context: BrokerContext,
  event: WebSocketEvent,
): Promise<Access | 'unknown' | 'expired'> {
  const auth = context.auth;
  if (!auth || auth.mode === 'open') return { policy: OPEN_POLICY, principal: anonymous };
  const fromAuthorizer =
    auth.trustAuthorizerContext === false ? undefined : claimsFromAuthorizer(event.requestContext);
  const record = fromAuthorizer
    ? undefined
    : await context.store.getConnection(event.requestContext.connectionId);
  const claims = fromAuthorizer ?? record?.claims;
  if (!claims) return 'unknown';
  const exp = claims.exp;
  if (typeof exp !== 'number' || exp * 1000 <= context.now()) return 'expired';
  const permissions = auth.permissions;
  return {
    policy: resolvePolicy(claims, permissions),
    expiresAt: exp,
    principal: () => principalOf(essentialClaims(claims, permissions)),
    claims,
    ...(record ? { record } : {}),
  };
}
