import type { WebSocketHandler } from '../emulator/handler.ts';
import { pongReply } from '../emulator/ping-route.ts';
import type { RouteTable } from '../emulator/routes.ts';

/**
 * topicsocket frames are routed on their `type`; everything without a route of its own (subscribe,
 * publish, seed frames, non-JSON) reaches `$default`. The deployed stacks use this same expression
 * (deploy/model/routes.ts imports it).
 */
export const TOPICSOCKET_ROUTE_SELECTION = '$request.body.type';

/**
 * The routes of topicsocket's WebSocket API, as deployed (deploy/model/routes.ts; test/runtimes/local/
 * topicsocket-routes.test.ts keeps them equal): the handler on `$connect`, `$disconnect` and a two-way
 * `$default`, and the keepalive `ping` answered by a MOCK integration, never by the handler.
 */
export function topicsocketRoutes(handler: WebSocketHandler): RouteTable {
  return {
    selectionExpression: TOPICSOCKET_ROUTE_SELECTION,
    routes: {
      $connect: { handler },
      $disconnect: { handler },
      $default: { handler, routeResponse: true },
      ping: { mock: (body) => pongReply(body) ?? '{"type":"pong"}' },
    },
  };
}
