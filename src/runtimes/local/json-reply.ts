import type { ServerResponse } from 'node:http';
import type { StatsAccess } from './stats-access.ts';

/** A JSON answer of the local server's read-only HTTP routes (`/stats`, `/admin/*`); never cached, as they are live. */
export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (response.headersSent || response.destroyed) return;
  response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
  response.end(response.req.method === 'HEAD' ? undefined : JSON.stringify(body));
}

/** The answer to a caller `statsAccess` refused: 401 with a bearer challenge, or 503 when the verifier is down. */
export function sendRefusal(response: ServerResponse, access: Extract<StatsAccess, { ok: false }>): void {
  const code = access.status === 401 ? 'unauthorized' : 'unavailable';
  sendJson(
    response,
    access.status,
    { type: 'error', code, message: access.message },
    access.status === 401 ? { 'www-authenticate': 'Bearer' } : {},
  );
}
