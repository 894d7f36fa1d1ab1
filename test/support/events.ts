import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { WebSocketEvent } from '../../src/core/index.ts';

let messageCounter = 0;

/** Builds an API Gateway-shaped WebSocket event, as the emulator and Lambda produce them. */
export function wsEvent(
  routeKey: string,
  connectionId: string,
  body?: string,
  extra: Partial<WebSocketEvent> = {},
): WebSocketEvent {
  const now = Date.now();
  const eventType =
    routeKey === '$connect' ? 'CONNECT' : routeKey === '$disconnect' ? 'DISCONNECT' : 'MESSAGE';
  return {
    requestContext: {
      routeKey,
      eventType,
      connectionId,
      connectedAt: now,
      requestTimeEpoch: now,
      requestId: `req-${++messageCounter}`,
      messageId: `msg-${messageCounter}`,
      extendedRequestId: `ext-${messageCounter}`,
      messageDirection: 'IN',
      stage: 'local',
      domainName: 'localhost',
      apiId: 'local',
      requestTime: new Date(now).toISOString(),
      identity: { sourceIp: '127.0.0.1' },
    } as WebSocketEvent['requestContext'],
    isBase64Encoded: false,
    ...(body === undefined ? {} : { body }),
    ...extra,
  };
}

/**
 * Builds the HTTP API (payload 2.0) event of a `POST /publish` with a JSON `body`, as the publish Lambda
 * receives it; `requestContext` adds to its context (an IAM `authorizer`, a request id).
 */
export function publishEvent(
  body: unknown,
  headers: Record<string, string> = {},
  requestContext: Record<string, unknown> = {},
): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: 'POST /publish',
    rawPath: '/publish',
    rawQueryString: '',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    isBase64Encoded: false,
    requestContext: {
      http: {
        method: 'POST',
        path: '/publish',
        protocol: 'HTTP/1.1',
        sourceIp: '10.0.0.1',
        userAgent: 'test',
      },
      ...requestContext,
    },
  } as unknown as APIGatewayProxyEventV2;
}
