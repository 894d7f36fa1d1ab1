/**
 * The event API Gateway hands to a WebSocket Lambda, written out here rather than imported from
 * `@types/aws-lambda`: the core knows nothing of AWS, and a public type must not need a devDependency.
 * test/core/events-types.test.ts checks at compile time that it stays assignable to and from
 * `APIGatewayProxyWebsocketEventV2`. `$connect` events also carry the upgrade request's headers and query
 * string, which that type leaves out.
 */
export interface WebSocketEvent {
  requestContext: RequestContext;
  body?: string;
  isBase64Encoded: boolean;
  stageVariables?: Record<string, string | undefined>;
  headers?: Record<string, string | undefined>;
  multiValueHeaders?: Record<string, string[] | undefined>;
  queryStringParameters?: Record<string, string | undefined>;
  multiValueQueryStringParameters?: Record<string, string[] | undefined>;
}

/** `event.requestContext` of a WebSocket route. */
export interface RequestContext {
  routeKey: string;
  messageId: string;
  eventType: 'CONNECT' | 'MESSAGE' | 'DISCONNECT';
  extendedRequestId: string;
  requestTime: string;
  messageDirection: 'IN';
  stage: string;
  connectedAt: number;
  requestTimeEpoch: number;
  requestId: string;
  domainName: string;
  connectionId: string;
  apiId: string;
  /** The caller as API Gateway saw it (sent on every route; `@types/aws-lambda` leaves it out). */
  identity?: { sourceIp?: string; userAgent?: string };
}

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
