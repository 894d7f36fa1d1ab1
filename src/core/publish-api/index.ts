/** The server-side publish API (`POST /publish`), transport-neutral: the local server and Lambda both serve it. */
export { CallerAuthenticator, type CallerIdentity, type CallerRefusal } from './caller-auth.ts';
export { IdempotencyCache } from './idempotency-cache.ts';
export {
  PublishApi,
  type PublishApiAuth,
  type PublishApiOptions,
  type PublishHttpRequest,
  type PublishHttpResponse,
  type PublishOutcome,
} from './publish-api.ts';
