import type { APIGatewayProxyWebsocketEventV2 } from 'aws-lambda';

/**
 * The event API Gateway hands to a WebSocket Lambda. `$connect` events also carry the upgrade request's
 * headers and query string, which `APIGatewayProxyWebsocketEventV2` leaves out.
 */
export type WebSocketEvent = APIGatewayProxyWebsocketEventV2 & {
  headers?: Record<string, string | undefined>;
  multiValueHeaders?: Record<string, string[] | undefined>;
  queryStringParameters?: Record<string, string | undefined> | null;
};

export type RequestContext = WebSocketEvent['requestContext'];

/**
 * What the handler returns. On `$connect` a non-2xx status refuses the upgrade; on `$default` the `body` is
 * sent back to the caller (the route has a route response, as in the deployed stacks).
 */
export interface WebSocketResult {
  statusCode: number;
  body?: string;
  headers?: Record<string, string>;
}

export const Routes = {
  connect: '$connect',
  disconnect: '$disconnect',
  default: '$default',
} as const;
