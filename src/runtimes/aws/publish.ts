/**
 * Lambda entry point of the HTTP API route `POST /publish`. TOPICSOCKET_PUBLISH_AUTH=iam when the route has
 * AWS_IAM authorization (the handler then requires API Gateway's IAM context), otherwise API keys or bearer
 * JWTs are checked here (TOPICSOCKET_API_KEYS, TOPICSOCKET_JWT_*).
 */
import { loadAuthConfig } from '../../core/auth/index.ts';
import { withAuthSecrets } from './auth-secrets.ts';
import { loadAwsRuntimeConfig } from './config.ts';
import { deployedHookOptions } from './deployed-hooks.ts';
import { createPublishHandler } from './publish-handler.ts';

const routeAuth = process.env.TOPICSOCKET_PUBLISH_AUTH === 'iam' ? 'iam' : 'keys';

// In `keys` mode the API keys and HS256 secret come from the auth secret (deploy/model/secrets.ts); in
// `iam` mode the function is given no secret source at all.
export const handler = withAuthSecrets(process.env, (env) =>
  createPublishHandler(
    loadAwsRuntimeConfig(env),
    loadAuthConfig(env, 'required'),
    routeAuth,
    deployedHookOptions(env),
  ),
);
