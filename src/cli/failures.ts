/**
 * Failures a user can cause and fix, each said in one line with what to do (run.ts prints it and exits 1).
 * System errors (EADDRINUSE, ECONNREFUSED, ...) are recognized by their `code`, wherever Node, fetch (its
 * `cause`) or the AWS SDK put it.
 */
export class CliFailure extends Error {
  override readonly name = 'CliFailure';
}

/** The first system error code on `error`, its `cause` chain or an AggregateError's errors. */
export function systemCode(error: unknown, depth = 0): string | undefined {
  if (typeof error !== 'object' || error === null || depth > 4) return undefined;
  const { code, cause, errors } = error as { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return code;
  for (const inner of [cause, ...(Array.isArray(errors) ? errors : [])]) {
    const found = systemCode(inner, depth + 1);
    if (found) return found;
  }
  return undefined;
}

/** Why the server could not listen on `host:port`, and what to do; undefined for other errors. */
export function listenFailure(error: unknown, host: string, port: number): CliFailure | undefined {
  switch (systemCode(error)) {
    case 'EADDRINUSE':
      return new CliFailure(
        `port ${port} on ${host} is already in use (another topicsocket dev?): stop that process, or pick another port with --port N (--port 0 picks a free one)`,
      );
    case 'EACCES':
      return new CliFailure(
        `not allowed to listen on port ${port}: ports below 1024 need privileges; use --port 3001 or another above 1023`,
      );
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
      return new CliFailure(
        `cannot listen on host "${host}": it is not an address of this machine; use --host 127.0.0.1, or 0.0.0.0 for every interface`,
      );
    default:
      return undefined;
  }
}

/** Why `url` (a `what`, e.g. "the DynamoDB endpoint") could not be reached, plus `fix`; undefined otherwise. */
export function reachFailure(error: unknown, what: string, url: string, fix: string): CliFailure | undefined {
  const why = REACH_ERRORS[systemCode(error) ?? ''];
  return why ? new CliFailure(`cannot reach ${what} at ${url} (${why}): ${fix}`) : undefined;
}

const REACH_ERRORS: Record<string, string> = {
  ECONNREFUSED: 'connection refused: nothing listens there',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  ECONNRESET: 'connection reset',
  ETIMEDOUT: 'timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
};
