import {
  AuthEnvironment,
  PublishAuthEnvironment,
  type PublishAuthMode,
  PublishAuthModes,
  parsePublishAuth,
} from '../../src/core/config-env.ts';
import type { AuthSettings } from './auth.ts';

/**
 * The server-side publish API on AWS: an HTTP API (API Gateway v2, protocol HTTP) with one route,
 * `POST /publish`, integrated with the publish function. IAM (SigV4) authorization by default: nothing secret
 * is deployed, and callers are AWS principals allowed `execute-api:Invoke` on the route. `keys` leaves the
 * route unauthorized at API Gateway and the function checks API keys or bearer JWTs itself.
 */

/** Read from the deployer's environment at deploy time, and given to the publish function under this name. */
export const PublishAuthVariable = PublishAuthEnvironment.mode;

export { type PublishAuthMode, PublishAuthModes };

export const PublishRoute = { method: 'POST', path: '/publish', routeKey: 'POST /publish' } as const;

/**
 * The publish API's stage throttle: each request fans out to every subscriber of a topic (one `@connections`
 * call each, out of the account's shared 10,000 RPS), so it is far below the WebSocket stage's.
 */
export const PublishThrottle = { rateLimit: 100, burstLimit: 200 } as const;

/** The route's API Gateway authorization type for each mode. */
export const PublishRouteAuthorization: Readonly<Record<PublishAuthMode, 'AWS_IAM' | 'NONE'>> = {
  iam: 'AWS_IAM',
  keys: 'NONE',
};

/** The deployer's choice, parsed as the publish function parses it at cold start (src/core/config-env.ts). */
export function publishAuthMode(value: string | undefined): PublishAuthMode {
  const parsed = parsePublishAuth(value);
  if ('problem' in parsed) throw new Error(`${PublishAuthVariable} ${parsed.problem}`);
  return parsed.value;
}

/** The HTTP API's `$default` stage URL plus the route's path. */
export function publishUrl(httpApiId: string, region: string, urlSuffix: string): string {
  return `https://${httpApiId}.execute-api.${region}.${urlSuffix}${PublishRoute.path}`;
}

/** Why `keys` mode would refuse every publish, or undefined. */
export function publishAuthWarning(
  mode: PublishAuthMode,
  settings: AuthSettings,
  hasAuthSecret = false,
): string | undefined {
  if (mode !== 'keys' || settings[AuthEnvironment.mode] === 'open') return undefined;
  if (
    hasAuthSecret ||
    settings[AuthEnvironment.apiKeys] ||
    settings[AuthEnvironment.jwtSecret] ||
    settings[AuthEnvironment.jwksUrl]
  ) {
    return undefined;
  }
  return (
    `${PublishAuthVariable}=keys but neither an auth secret (${AuthEnvironment.apiKeys}) nor a JWKS is set: ` +
    'every POST /publish will be refused (401)'
  );
}
