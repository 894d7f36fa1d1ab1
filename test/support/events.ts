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
