/**
 * The Lambda entry point for the `$connect`, `$disconnect` and `$default` routes. The configuration is read
 * and validated when the module loads (cold start), so a bad deploy fails init with an error naming the
 * variable instead of failing every message.
 */
import { loadAuthConfig } from '../../core/auth/index.ts';
import { loadAwsRuntimeConfig } from './config.ts';
import { createAwsHandler } from './create-handler.ts';

// Auth is required unless TOPICSOCKET_AUTH=open says otherwise: a deployed stack is never open by accident.
export const handler = createAwsHandler(loadAwsRuntimeConfig(process.env), {
  auth: loadAuthConfig(process.env, 'required'),
});
