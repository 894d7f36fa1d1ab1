/** Authentication at `$connect` and per-topic authorization. Model and configuration: docs/security.md. */

export { type AuthConfig, AuthConfigError, AuthEnvironment, loadAuthConfig } from './auth-config.ts';
export type { AuthOptions } from './auth-options.ts';
export {
  type AuthorizerContext,
  type Claims,
  claimsFromAuthorizer,
  essentialClaims,
  toAuthorizerContext,
} from './authorizer-context.ts';
export { type ConnectDecision, guardConnect } from './connect-guard.ts';
export { type ConnectCredentials, connectCredentials, type TokenSource } from './connect-token.ts';
export {
  type JwtConfig,
  JwtVerifier,
  type RefusedToken,
  type TokenVerification,
  type TokenVerifier,
  type VerifiedToken,
} from './jwt-verifier.ts';
export { principalOf } from './principal.ts';
export { REDACTED, redact, redactingLogger, redactString } from './redact.ts';
export {
  OPEN_POLICY,
  type PermissionsConfig,
  patternMatches,
  patternProblem,
  policyAllows,
  resolvePolicy,
  type TopicOperation,
  type TopicPolicy,
} from './topic-permissions.ts';
