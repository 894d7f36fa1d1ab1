/**
 * Lambda entry point of the HTTP API route `POST /publish`. TOPICSOCKET_PUBLISH_AUTH=iam when the route has
 * AWS_IAM authorization (the handler then requires API Gateway's IAM context), otherwise API keys or bearer
 * JWTs are checked here (TOPICSOCKET_API_KEYS, TOPICSOCKET_JWT_*).
 */
import { loadAuthConfig } from '../../core/auth/index.ts';
import { loadAwsRuntimeConfig } from './config.ts';
import { createPublishHandler } from './publish-handler.ts';

const routeAuth = process.env.TOPICSOCKET_PUBLISH_AUTH === 'iam' ? 'iam' : 'keys';

export const handler = createPublishHandler(
  loadAwsRuntimeConfig(process.env),
  loadAuthConfig(process.env, 'required'),
  routeAuth,
);
