import { TOPICSOCKET_ROUTE_SELECTION } from '../../src/runtimes/local/topicsocket-routes.ts';

/**
 * The WebSocket API's routes. Frames are routed on their `type`; everything without a route of its own
 * (subscribe, publish, seed frames, non-JSON) reaches `$default`.
 */
export const RouteSelectionExpression = TOPICSOCKET_ROUTE_SELECTION;

export type RouteTarget = 'function' | 'pong-mock';

export interface RouteModel {
  key: string;
  target: RouteTarget;
  /** Two-way route: what the integration returns is sent back to the caller as one frame. */
  routeResponse: boolean;
}

export const Routes: readonly RouteModel[] = [
  { key: '$connect', target: 'function', routeResponse: false },
  { key: '$disconnect', target: 'function', routeResponse: false },
  // The handler's returned body (acks, errors) is the reply frame: no extra @connections call per reply.
  { key: '$default', target: 'function', routeResponse: true },
  // Keepalive answered by API Gateway itself: a ping costs no Lambda invocation.
  { key: 'ping', target: 'pong-mock', routeResponse: true },
];

/** Route and integration responses use the catch-all key. */
export const DefaultResponseKey = '$default';
