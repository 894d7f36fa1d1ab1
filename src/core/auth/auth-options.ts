import type { TokenVerifier } from './jwt-verifier.ts';
import type { PermissionsConfig } from './topic-permissions.ts';

/** How the broker authenticates connections and authorizes their topics. */
export interface AuthOptions {
  /**
   * `required`: `$connect` needs a valid token (or a Lambda authorizer's verified claims), and topics are
   * checked against the claims. `open`: anyone may connect and use any topic (dev only; say so loudly).
   */
  mode: 'required' | 'open';
  /** Verifies the token of `$connect`. Not needed when a Lambda authorizer has verified it already. */
  verifier?: TokenVerifier;
  permissions?: PermissionsConfig;
  /**
   * Use the claims a Lambda authorizer put in `requestContext.authorizer` (only API Gateway can set it), so
   * later routes need no store read for them. Default true.
   */
  trustAuthorizerContext?: boolean;
  /**
   * Close each connection the moment its token expires, with a timer. Right for long-lived processes (the
   * local server); on Lambda, expiry is enforced at the connection's next frame instead. Default false.
   */
  expiryTimers?: boolean;
}
