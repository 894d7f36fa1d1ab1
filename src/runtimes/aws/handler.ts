/**
 * The Lambda entry point for the `$connect`, `$disconnect` and `$default` routes. The configuration is read
 * and validated when the module loads (cold start), so a bad deploy fails init with an error naming the
 * variable instead of failing every message.
 */
import { loadAwsRuntimeConfig } from './config.ts';
import { createAwsHandler } from './create-handler.ts';

export const handler = createAwsHandler(loadAwsRuntimeConfig(process.env));
