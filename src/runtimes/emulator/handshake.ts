import { randomUUID } from 'node:crypto';
import { type IncomingMessage, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';

/** Answers an upgrade request with a plain HTTP response (as API Gateway does when `$connect` refuses). */
export function refuseUpgrade(socket: Duplex, statusCode: number, body?: string): void {
  if (socket.destroyed) return;
  const payload = body ?? JSON.stringify({ message: STATUS_CODES[statusCode] ?? 'Error' });
  socket.end(
    `HTTP/1.1 ${statusCode} ${STATUS_CODES[statusCode] ?? 'Error'}\r\n` +
      'Connection: close\r\n' +
      'Content-Type: application/json\r\n' +
      `Content-Length: ${Buffer.byteLength(payload)}\r\n` +
      `x-amzn-RequestId: ${randomUUID()}\r\n\r\n` +
      payload,
  );
}

/** Whether the request is a well-formed WebSocket (version 13) upgrade; API Gateway rejects others up front. */
export function isWebSocketUpgrade(request: IncomingMessage): boolean {
  const key = request.headers['sec-websocket-key'];
  return (
    request.method === 'GET' &&
    request.headers.upgrade?.toLowerCase() === 'websocket' &&
    typeof key === 'string' &&
    /^[+/0-9A-Za-z]{22}==$/.test(key) &&
    request.headers['sec-websocket-version'] === '13'
  );
}

/** Subprotocols the client offered, in its order. */
export function offeredProtocols(request: IncomingMessage): string[] {
  const header = request.headers['sec-websocket-protocol'];
  if (!header) return [];
  return header
    .split(',')
    .map((value) => value.trim())
    .filter((value) => value.length > 0);
}

/**
 * The subprotocol to accept: only one the `$connect` result echoed in its `Sec-WebSocket-Protocol` header
 * and the client offered. Otherwise none, and a client that offered some fails the handshake, as on AWS.
 */
export function acceptedProtocol(
  offered: readonly string[],
  resultHeaders: Record<string, string> | undefined,
): string | undefined {
  if (offered.length === 0 || !resultHeaders) return undefined;
  for (const [name, value] of Object.entries(resultHeaders)) {
    if (name.toLowerCase() !== 'sec-websocket-protocol') continue;
    const echoed = value.trim();
    return offered.includes(echoed) ? echoed : undefined;
  }
  return undefined;
}
