import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import {
  type AuthConfig,
  connectCredentials,
  essentialClaims,
  type TokenVerifier,
  toAuthorizerContext,
} from '../../core/auth/index.ts';
import type { WebSocketEvent } from '../../core/index.ts';
import { type Logger, silentLogger } from '../../core/index.ts';

/** API Gateway's limit on an authorizer's whole result. */
const MAX_RESULT_BYTES = 8 * 1024;

export type ConnectAuthorizer = (
  event: APIGatewayRequestAuthorizerEvent,
) => Promise<APIGatewayAuthorizerResult>;

/**
 * A REQUEST Lambda authorizer for the WebSocket API's `$connect` route. It verifies the token (query string,
 * `Sec-WebSocket-Protocol` entry, or bearer header) and allows exactly the `$connect` method ARN it was
 * asked about, never a wildcard. The trimmed claims travel in `context` and reach every later route in
 * `requestContext.authorizer`, where the broker reads them without a store lookup.
 *
 * Configure it without identity sources (they are ANDed, so "query OR protocol" is impossible) and
 * therefore without result caching: it runs on every connect, and the JWKS cache keeps that cheap.
 */
export function createConnectAuthorizer(auth: AuthConfig, logger: Logger = silentLogger): ConnectAuthorizer {
  const verifier: TokenVerifier | undefined = auth.auth.verifier;
  if (!verifier) {
    throw new Error('the $connect authorizer needs TOPICSOCKET_JWT_SECRET or TOPICSOCKET_JWKS_URL');
  }
  return async (event) => {
    const credentials = connectCredentials(event as unknown as WebSocketEvent);
    const verified = await verifier.verify(credentials.token);
    if (!verified.ok) {
      logger.info('connect refused by authorizer', { reason: verified.reason });
      // The one error message API Gateway turns into 401; anything else becomes a 500.
      if (verified.reason !== 'unavailable') throw new Error('Unauthorized');
      throw new Error(`authorizer unavailable: ${verified.message}`);
    }
    const claims = essentialClaims(verified.claims, auth.auth.permissions);
    const result: APIGatewayAuthorizerResult = {
      principalId: typeof claims.sub === 'string' && claims.sub ? claims.sub : 'anonymous',
      policyDocument: {
        Version: '2012-10-17',
        Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: event.methodArn }],
      },
      context: toAuthorizerContext(claims, verified.expiresAt),
    };
    if (Buffer.byteLength(JSON.stringify(result)) > MAX_RESULT_BYTES) {
      logger.warn('connect refused: claims too large for an authorizer result', {
        principalId: result.principalId,
      });
      throw new Error('Unauthorized');
    }
    return result;
  };
}
