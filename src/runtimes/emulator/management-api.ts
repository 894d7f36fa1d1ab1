import { isUtf8 } from 'node:buffer';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CloseCodes } from '../../protocol/index.ts';
import type { ConnectionTable } from './connection-table.ts';
import type { FaultInjector } from './faults.ts';

export interface ManagementApiOptions {
  connections: ConnectionTable;
  /** The emulated stage: the API is served both at `/@connections/{id}` and `/{stage}/@connections/{id}`. */
  stage: string;
  faults: FaultInjector;
}

/** `/@connections/{id}` or `/{stage}/@connections/{id}`, with `@` possibly percent-encoded; id still encoded. */
const CONNECTION_PATH = /^(?:\/([^/]+))?\/(?:@|%40)connections\/([^/]+)\/?$/i;

/** Bodies past the limit are drained up to this many times the limit, then the socket is dropped. */
const DRAIN_FACTOR = 8;

/**
 * API Gateway's `@connections` management API (PostToConnection, GetConnection, DeleteConnection), in the
 * shape the AWS SDK v3 expects: errors carry `x-amzn-errortype`, so `GoneException` and friends map to the
 * SDK's exception classes. Requests are not signature-checked.
 *
 * Returns false when the path is not a management path, so the caller can answer it otherwise.
 */
export function handleManagementRequest(
  request: IncomingMessage,
  response: ServerResponse,
  options: ManagementApiOptions,
): boolean {
  const path = (request.url ?? '/').split('?', 1)[0] as string;
  const match = CONNECTION_PATH.exec(path);
  if (!match) return false;
  const [, stage, encodedId] = match;
  if (stage !== undefined && stage !== options.stage) {
    sendError(response, 403, 'ForbiddenException', `Forbidden: unknown stage ${stage}`);
    return true;
  }
  let connectionId: string;
  try {
    connectionId = decodeURIComponent(encodedId as string);
  } catch {
    sendError(response, 400, 'BadRequestException', 'Invalid connection id encoding');
    return true;
  }

  // Added latency, when injected: the answer (and a POST's delivery) waits.
  void options.faults.delay().then(() => answer(request, response, options, connectionId));
  return true;
}

function answer(
  request: IncomingMessage,
  response: ServerResponse,
  options: ManagementApiOptions,
  connectionId: string,
): void {
  const { connections, faults } = options;
  const { maxMessageBytes } = connections.limits;
  switch (request.method) {
    case 'POST':
      readBody(request, maxMessageBytes, (body) => {
        if (body === undefined) {
          sendError(
            response,
            413,
            'PayloadTooLargeException',
            `Request body exceeds ${maxMessageBytes} bytes`,
          );
          return;
        }
        const connection = connections.get(connectionId);
        if (!connection) return sendGone(response);
        const fault = faults.postFault();
        if (fault) {
          sendError(response, fault.status, fault.type, `Injected fault: ${fault.type}`);
          return;
        }
        if (connections.isSlow(connection)) {
          sendError(response, 429, 'LimitExceededException', 'The client is not reading its messages');
          return;
        }
        // A text frame must carry valid UTF-8 (RFC 6455 §8.1): compliant clients fail the connection
        // otherwise. API Gateway does not document what it does with other bytes; they go out as a binary
        // frame, which delivers them unchanged and keeps the connection (docs/local-runtime.md).
        connection.send(body, !isUtf8(body));
        send(response, 200);
      });
      return;
    case 'GET': {
      const connection = connections.get(connectionId);
      if (!connection) {
        sendGone(response);
        return;
      }
      // The service model marks both required: a client that sent no User-Agent gets an empty one.
      const identity = {
        sourceIp: connection.identity.sourceIp,
        userAgent: connection.identity.userAgent ?? '',
      };
      send(
        response,
        200,
        JSON.stringify({
          connectedAt: new Date(connection.identity.connectedAt).toISOString(),
          identity,
          lastActiveAt: new Date(connection.lastActiveAt).toISOString(),
        }),
      );
      return;
    }
    case 'DELETE': {
      const connection = connections.get(connectionId);
      if (!connection) {
        sendGone(response);
        return;
      }
      connections.end(connection, CloseCodes.normal, '');
      send(response, 204);
      return;
    }
    default:
      sendError(response, 405, 'MethodNotAllowedException', `Method ${request.method} is not allowed`);
      return;
  }
}

/** Collects the body, or yields undefined once it is larger than `limit` (the rest is drained, not kept). */
function readBody(request: IncomingMessage, limit: number, done: (body: Buffer | undefined) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  request.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (tooLarge) {
      if (size > limit * DRAIN_FACTOR) request.socket.destroy();
      return;
    }
    if (size > limit) {
      tooLarge = true;
      chunks.length = 0;
      return;
    }
    chunks.push(chunk);
  });
  request.on('end', () => done(tooLarge ? undefined : Buffer.concat(chunks, size)));
  request.on('error', () => request.socket.destroy());
}

function sendGone(response: ServerResponse): void {
  sendError(response, 410, 'GoneException', 'The connection is gone');
}

function sendError(response: ServerResponse, status: number, type: string, message: string): void {
  send(response, status, JSON.stringify({ message }), { 'x-amzn-ErrorType': type });
}

function send(
  response: ServerResponse,
  status: number,
  body?: string,
  headers: Record<string, string> = {},
): void {
  if (response.headersSent) return;
  response.writeHead(status, {
    'x-amzn-RequestId': randomUUID(),
    ...(body === undefined ? { 'content-length': '0' } : { 'content-type': 'application/json' }),
    ...headers,
  });
  response.end(body);
}
