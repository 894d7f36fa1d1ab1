import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ConsoleBuild } from './console-assets.ts';
import { sendJson, sendRefusal } from './json-reply.ts';
import type { ServerStatsSnapshot } from './server-stats.ts';
import type { StatsAccessCheck } from './stats-access.ts';

export interface ConsoleRoutesOptions {
  /** The built page (memoized by the caller). */
  build: () => Promise<ConsoleBuild>;
  stats: () => ServerStatsSnapshot;
  statsAccess: StatsAccessCheck;
  /** Whether connections need a token: the page asks for one up front when they do. */
  authRequired: boolean;
}

const PAGE_PATHS = new Set(['/console', '/console/', '/console/index.html']);
const STATS_PATH = '/stats';

/** The page may only talk to this server's HTTP API and to WebSocket endpoints; no inline scripts. */
const PAGE_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
    "connect-src 'self' ws: wss:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

/**
 * The local server's web console and its stats endpoint, tried before the `@connections` API:
 *
 * - `GET /` from a browser (`Accept: text/html`) and `GET /console/`: the page. Other requests for `/`
 *   keep the emulator's answer (426, as API Gateway gives), so tools that probe the endpoint see no change.
 * - `GET /console/main.js`, `/console/styles.css`: the bundle, built on first request.
 * - `GET /stats`: live figures as JSON, behind the same credentials as `POST /publish` unless the server
 *   is open.
 */
export function consoleRoutes(
  options: ConsoleRoutesOptions,
): (request: IncomingMessage, response: ServerResponse) => boolean {
  return (request, response) => {
    const path = (request.url ?? '/').split('?', 1)[0] as string;
    const wantsPage = PAGE_PATHS.has(path) || (path === '/' && acceptsHtml(request));
    const asset = path === '/console/main.js' ? 'js' : path === '/console/styles.css' ? 'css' : undefined;
    if (!wantsPage && !asset && path !== STATS_PATH) return false;
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      send(response, 405, 'application/json', JSON.stringify({ message: 'use GET' }), { allow: 'GET, HEAD' });
      return true;
    }
    if (path === STATS_PATH) {
      void serveStats(options, request, response);
      return true;
    }
    void options.build().then((build) => {
      if (!build.ok) {
        send(response, 503, 'text/plain; charset=utf-8', `${build.message}\n`);
      } else if (asset === 'js') {
        send(response, 200, 'text/javascript; charset=utf-8', build.assets.js, PAGE_HEADERS);
      } else if (asset === 'css') {
        send(response, 200, 'text/css; charset=utf-8', build.assets.css, PAGE_HEADERS);
      } else {
        const html = build.assets.html.replace(
          '<html lang="en">',
          `<html lang="en" data-auth="${options.authRequired ? 'required' : 'open'}">`,
        );
        send(response, 200, 'text/html; charset=utf-8', html, PAGE_HEADERS);
      }
    });
    return true;
  };
}

async function serveStats(
  options: ConsoleRoutesOptions,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const access = await options.statsAccess(request.headers);
  if (!access.ok) return sendRefusal(response, access);
  sendJson(response, 200, options.stats());
}

function acceptsHtml(request: IncomingMessage): boolean {
  return request.method === 'GET' && (request.headers.accept ?? '').includes('text/html');
}

function send(
  response: ServerResponse,
  status: number,
  contentType: string,
  body: string,
  headers: Record<string, string> = {},
): void {
  if (response.headersSent || response.destroyed) return;
  response.writeHead(status, { 'content-type': contentType, ...headers });
  response.end(response.req.method === 'HEAD' ? undefined : body);
}
