import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AdminAnswer, AdminQueries, AdminQuery } from '../../core/admin/index.ts';
import type { Logger } from '../../core/index.ts';
import { sendJson, sendRefusal } from './json-reply.ts';
import type { StatsAccessCheck } from './stats-access.ts';

export interface AdminRoutesOptions {
  queries: AdminQueries;
  /** The same rule as `GET /stats`: open in open dev mode, else an API key or a valid bearer JWT. */
  access: StatsAccessCheck;
  logger?: Logger;
}

/** Path -> question. Read only: GET and HEAD. */
const ROUTES: Record<string, (queries: AdminQueries, query: AdminQuery) => Promise<AdminAnswer<unknown>>> = {
  '/admin/topics': (queries, query) => queries.topics(query),
  '/admin/connections': (queries, query) => queries.connections(query),
  '/admin/history': (queries, query) => queries.history(query),
};

/**
 * The console's admin listings on the local server (docs/console.md): `GET /admin/topics`,
 * `/admin/connections`, `/admin/history?topic=`, each one bounded page of JSON. Returns false for other
 * paths so the next route (publish, `@connections`) gets them.
 */
export function adminRoutes(
  options: AdminRoutesOptions,
): (request: IncomingMessage, response: ServerResponse) => boolean {
  return (request, response) => {
    const url = new URL(request.url ?? '/', 'http://local');
    const route = ROUTES[url.pathname];
    if (!route) return false;
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { 'content-type': 'application/json', allow: 'GET, HEAD' });
      response.end(JSON.stringify({ type: 'error', code: 'bad_request', message: 'use GET' }));
      return true;
    }
    void (async () => {
      const access = await options.access(request.headers);
      if (!access.ok) return sendRefusal(response, access);
      const answer = await route(options.queries, (name) => url.searchParams.get(name));
      sendJson(response, answer.status, answer.body);
    })().catch((error: unknown) => {
      options.logger?.error('admin route failed', { path: url.pathname, error: String(error) });
      sendJson(response, 500, { type: 'error', code: 'internal_error', message: 'the store failed' });
    });
    return true;
  };
}
