/**
 * Lambda entry point of the HTTP API route `POST /publish`. TOPICSOCKET_PUBLISH_AUTH=iam (the default, as in
 * the deploy) when the route has AWS_IAM authorization (the handler then requires API Gateway's IAM context),
 * `keys` when API keys or bearer JWTs are checked here (TOPICSOCKET_API_KEYS, TOPICSOCKET_JWT_*). Any other
 * value fails the cold start.
 */
import { loadAuthConfig } from '../../core/auth/index.ts';
import { withAuthSecrets } from './auth-secrets.ts';
import { loadAwsRuntimeConfig, loadPublishAuth } from './config.ts';
import { deployedHookOptions } from './deployed-hooks.ts';
import { createPublishHandler } from './publish-handler.ts';

// In `keys` mode the API keys and HS256 secret come from the auth secret (deploy/model/secrets.ts); in
// `iam` mode the function is given no secret source at all.
export const handler = withAuthSecrets(process.env, (env) =>
  createPublishHandler(
    loadAwsRuntimeConfig(env),
    loadAuthConfig(env, 'required'),
    loadPublishAuth(env),
    deployedHookOptions(env),
  ),
);
