/**
 * Authentication on `$connect` (src/core/auth: JWT from a shared secret or a JWKS, per-topic permissions from
 * claims), configured through the AuthEnvironment variables. Both deploy tools pass those variables from the
 * deployer's environment to the functions under the same names. Unset TOPICSOCKET_AUTH means `required`
 * (the Lambda's default).
 *
 * Who verifies the token on `$connect` is the connect-auth mode: `function` (default) lets the WebSocket
 * function do it; `authorizer` deploys a REQUEST Lambda authorizer on the `$connect` route, whose verified
 * claims reach every later route in `requestContext.authorizer` (the broker trusts them there).
 */
import { AuthEnvironment } from '../../src/core/config-env.ts';
import { SecretAuthVariables } from '../../src/runtimes/aws/auth-secret-source.ts';

/**
 * Variables that hold secrets: on AWS they come from the auth secret (secrets.ts), and a deploy refuses
 * them in its environment, since they would be written into the template.
 */
export { SecretAuthVariables };

export const AuthVariableNames: readonly string[] = Object.values(AuthEnvironment);

/** The auth variables a deploy passes to the functions as plain environment variables: no secret. */
export const PlainAuthVariableNames: readonly string[] = AuthVariableNames.filter(
  (name) => !SecretAuthVariables.includes(name),
);

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
export function authWarning(settings: AuthSettings, hasAuthSecret = false): string | undefined {
  if (settings[AuthEnvironment.mode] === 'open') {
    return `${AuthEnvironment.mode}=open: anyone who knows the URL can connect, subscribe and publish to any topic`;
  }
  if (!hasAuthSecret && !settings[AuthEnvironment.jwtSecret] && !settings[AuthEnvironment.jwksUrl]) {
    return (
      `auth is required but neither ${AuthEnvironment.jwksUrl} nor an auth secret (HS256) is set, and no ` +
      'Lambda authorizer is deployed: every connection will be refused (401)'
    );
  }
  return undefined;
}

/** Deploy-time choice of who verifies `$connect` tokens (read from the deployer's environment). */
export const ConnectAuthVariable = 'TOPICSOCKET_CONNECT_AUTH';

export const ConnectAuthModes = ['function', 'authorizer'] as const;
export type ConnectAuthMode = (typeof ConnectAuthModes)[number];

export function connectAuthMode(value: string | undefined): ConnectAuthMode {
  const mode = value?.trim() || 'function';
  if (!(ConnectAuthModes as readonly string[]).includes(mode)) {
    throw new Error(`${ConnectAuthVariable} must be one of ${ConnectAuthModes.join(', ')}, got "${mode}"`);
  }
  return mode as ConnectAuthMode;
}

/**
 * Why an authorizer cannot run with these settings, or undefined. It refuses to start without a key source
 * (src/runtimes/aws/connect-authorizer.ts), and with auth open it would only refuse connections the function
 * lets in: both are deploy mistakes, caught before anything is deployed.
 */
export function connectAuthorizerProblem(settings: AuthSettings, hasAuthSecret = false): string | undefined {
  if (settings[AuthEnvironment.mode] === 'open') {
    return `${ConnectAuthVariable}=authorizer contradicts ${AuthEnvironment.mode}=open`;
  }
  if (!hasAuthSecret && !settings[AuthEnvironment.jwtSecret] && !settings[AuthEnvironment.jwksUrl]) {
    return `${ConnectAuthVariable}=authorizer needs ${AuthEnvironment.jwksUrl} or an auth secret holding ${AuthEnvironment.jwtSecret}`;
  }
  return undefined;
}

/** Variables the authorizer does not read: it verifies tokens only (no publish keys, no rate limit). */
export const NotForAuthorizer: readonly string[] = [AuthEnvironment.apiKeys, AuthEnvironment.publishRate];

/** The auth settings the authorizer function gets: the token and permission-claim ones. */
export function authorizerAuthSettings(settings: AuthSettings): AuthSettings {
  return Object.fromEntries(Object.entries(settings).filter(([name]) => !NotForAuthorizer.includes(name)));
}
