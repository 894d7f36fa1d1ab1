/**
 * The `$connect` REQUEST authorizer's Lambda entry point. Configuration (TOPICSOCKET_JWT_SECRET or
 * TOPICSOCKET_JWKS_URL + TOPICSOCKET_JWT_ISSUER, ...) is read at cold start; the JWKS cache lives as long
 * as the container.
 */
import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import { loadAuthConfig, redactingLogger } from '../../core/auth/index.ts';
import { withAuthSecrets } from './auth-secrets.ts';
import { createConnectAuthorizer } from './connect-authorizer.ts';
import { powertoolsLoggerPort } from './powertools-logger.ts';

const logger = redactingLogger(
  powertoolsLoggerPort(new PowertoolsLogger({ serviceName: 'topicsocket-authorizer' })),
);

export const handler = withAuthSecrets(process.env, (env) =>
  createConnectAuthorizer(loadAuthConfig(env, 'required'), logger),
);
