/**
 * The Lambda entry point for the `$connect`, `$disconnect` and `$default` routes. The configuration is read
 * and validated when the module loads (cold start), so a bad deploy fails init with an error naming the
 * variable instead of failing every message.
 */
import { loadAuthConfig } from '../../core/auth/index.ts';
import { withAuthSecrets } from './auth-secrets.ts';
import { loadAwsRuntimeConfig } from './config.ts';
import { createAwsHandler } from './create-handler.ts';
import { deployedHookOptions } from './deployed-hooks.ts';

// Auth is required unless TOPICSOCKET_AUTH=open says otherwise: a deployed stack is never open by accident.
// The HS256 secret comes from Secrets Manager / SSM when TOPICSOCKET_AUTH_SECRET_ARN (or _PARAMETER_ARN) is set.
export const handler = withAuthSecrets(process.env, (env) =>
  createAwsHandler(loadAwsRuntimeConfig(env), {
    auth: loadAuthConfig(env, 'required'),
    ...deployedHookOptions(env),
  }),
);
