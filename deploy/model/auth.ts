/**
 * Authentication is enforced by the function itself on `$connect` (src/core/auth: JWT from a shared secret
 * or a JWKS, per-topic permissions from claims), configured through the AuthEnvironment variables. Both
 * deploy tools pass those variables from the deployer's environment to the function under the same names;
 * nothing else about auth is deployed. Unset TOPICSOCKET_AUTH means `required` (the Lambda's default).
 */
import { AuthEnvironment } from '../../src/core/auth/auth-config.ts';

export const AuthVariableNames: readonly string[] = Object.values(AuthEnvironment);

/** Variables that hold secrets: they end up in the function configuration and the template (docs/deploy.md). */
export const SecretAuthVariables: readonly string[] = [
  AuthEnvironment.jwtSecret,
  AuthEnvironment.jwtPreviousSecret,
  AuthEnvironment.apiKeys,
];

export type AuthSettings = Readonly<Record<string, string>>;

/** The auth variables set (non-empty) in `env`, and only those. */
export function authSettings(env: Readonly<Record<string, string | undefined>>): AuthSettings {
  return Object.fromEntries(
    AuthVariableNames.flatMap((name) => {
      const value = env[name]?.trim();
      return value ? [[name, value]] : [];
    }),
  );
}

/** Why this configuration is probably not what the deployer wants, or undefined when it looks deliberate. */
export function authWarning(settings: AuthSettings): string | undefined {
  if (settings[AuthEnvironment.mode] === 'open') {
    return `${AuthEnvironment.mode}=open: anyone who knows the URL can connect, subscribe and publish to any topic`;
  }
  if (!settings[AuthEnvironment.jwtSecret] && !settings[AuthEnvironment.jwksUrl]) {
    return (
      `auth is required but neither ${AuthEnvironment.jwksUrl} nor ${AuthEnvironment.jwtSecret} is set, and no ` +
      'Lambda authorizer is deployed: every connection will be refused (401)'
    );
  }
  return undefined;
}
