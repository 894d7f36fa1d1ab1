import type { WebSocketEvent } from '../events.ts';
import type { AuthOptions } from './auth-options.ts';
import { type Claims, claimsFromAuthorizer, essentialClaims } from './authorizer-context.ts';
import { connectCredentials } from './connect-token.ts';
import type { RefusedToken } from './jwt-verifier.ts';

export type ConnectDecision =
  | {
      allow: true;
      /** Verified, trimmed claims; absent for open connections. */
      claims?: Claims;
      /** Token expiry, epoch seconds. */
      expiresAt?: number;
      /** Response headers `$connect` must return (the echoed subprotocol). */
      headers: Record<string, string>;
    }
  | {
      allow: false;
      /** 401 for bad credentials, 503 when the key set could not be fetched (retrying can help). */
      statusCode: 401 | 503;
      reason: RefusedToken['reason'] | 'no_verifier';
      message: string;
      headers: Record<string, string>;
    };

/** Decides a `$connect`: who the connection is, what it may do, and the headers the response must carry. */
export async function guardConnect(
  event: WebSocketEvent,
  auth: AuthOptions | undefined,
): Promise<ConnectDecision> {
  const credentials = connectCredentials(event);
  const headers: Record<string, string> = credentials.echoSubprotocol
    ? { 'Sec-WebSocket-Protocol': credentials.echoSubprotocol }
    : {};
  if (!auth || auth.mode === 'open') return { allow: true, headers };

  if (auth.trustAuthorizerContext !== false) {
    const claims = claimsFromAuthorizer(event.requestContext);
    if (claims) return { allow: true, claims, expiresAt: claims.exp as number, headers };
  }
  if (!auth.verifier) {
    return {
      allow: false,
      statusCode: 401,
      reason: 'no_verifier',
      message: 'no way to verify tokens',
      headers,
    };
  }
  const verified = await auth.verifier.verify(credentials.token);
  if (!verified.ok) {
    const statusCode = verified.reason === 'unavailable' ? 503 : 401;
    return { allow: false, statusCode, reason: verified.reason, message: verified.message, headers };
  }
  return {
    allow: true,
    claims: essentialClaims(verified.claims, auth.permissions),
    expiresAt: verified.expiresAt,
    headers,
  };
}
