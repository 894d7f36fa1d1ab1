/**
 * How `@connections` failures look in AWS SDK v3. The SDK puts the HTTP status in `$metadata`, never in
 * `statusCode` (the AWS chat sample's `e.statusCode === 410` check never matches).
 */
interface SdkError {
  name?: string;
  code?: string;
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number };
}

const THROTTLING_NAMES = new Set([
  'LimitExceededException',
  'ThrottlingException',
  'TooManyRequestsException',
]);
const TRANSIENT_NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT']);

function asSdkError(error: unknown): SdkError {
  return typeof error === 'object' && error !== null ? (error as SdkError) : {};
}

/** 410: the connection no longer exists (closed, or a `$disconnect` that never arrived). */
export function isGone(error: unknown): boolean {
  const e = asSdkError(error);
  return e.name === 'GoneException' || e.$metadata?.httpStatusCode === 410;
}

/** 429 or LimitExceededException: account throttling, or the receiver's buffer is full (a slow consumer). */
export function isThrottled(error: unknown): boolean {
  const e = asSdkError(error);
  return THROTTLING_NAMES.has(e.name ?? '') || e.$metadata?.httpStatusCode === 429;
}

/** Worth another attempt: throttling, 5xx, or a dropped/timed-out connection to the endpoint. */
export function isRetryable(error: unknown): boolean {
  if (isThrottled(error)) return true;
  const e = asSdkError(error);
  const status = e.$metadata?.httpStatusCode;
  if ((status !== undefined && status >= 500) || e.$fault === 'server') return true;
  return e.name === 'TimeoutError' || TRANSIENT_NETWORK_CODES.has(e.code ?? '');
}

export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const status = asSdkError(error).$metadata?.httpStatusCode;
  return `${error.name}${status ? ` (${status})` : ''}: ${error.message}`;
}
