import { SUBPROTOCOL, TOKEN_QUERY_PARAMETER, TOKEN_SUBPROTOCOL_PREFIX } from '../../protocol/index.ts';
import type { WebSocketEvent } from '../events.ts';

/** Where a `$connect` request carried its token. */
export type TokenSource = 'authorization_header' | 'subprotocol' | 'query';

export interface ConnectCredentials {
  token?: string;
  source?: TokenSource;
  /**
   * The subprotocol the `$connect` response must echo (API Gateway passes the client's offer through, and a
   * browser fails the handshake unless one offered entry comes back). Never the token-carrying entry.
   */
  echoSubprotocol?: string;
  /** The client offered subprotocols but none the server may echo: a browser will fail the handshake. */
  unechoableSubprotocols: boolean;
}

/**
 * Reads the token of a `$connect` event from, in order: an `Authorization: Bearer` header (server-side
 * clients), a `topicsocket.token.<jwt>` entry of `Sec-WebSocket-Protocol` (browsers), or `?token=`.
 */
export function connectCredentials(event: WebSocketEvent): ConnectCredentials {
  const offered = headerValues(event, 'sec-websocket-protocol')
    .flatMap((value) => value.split(','))
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
  const credentials: ConnectCredentials = {
    unechoableSubprotocols: offered.length > 0 && !offered.includes(SUBPROTOCOL),
  };
  if (offered.includes(SUBPROTOCOL)) credentials.echoSubprotocol = SUBPROTOCOL;

  const bearer = headerValues(event, 'authorization')
    .map((value) => /^Bearer\s+(\S+)\s*$/i.exec(value)?.[1])
    .find((token) => token !== undefined);
  const fromProtocol = offered
    .find((entry) => entry.startsWith(TOKEN_SUBPROTOCOL_PREFIX))
    ?.slice(TOKEN_SUBPROTOCOL_PREFIX.length);
  const fromQuery = event.queryStringParameters?.[TOKEN_QUERY_PARAMETER];

  if (bearer) return { ...credentials, token: bearer, source: 'authorization_header' };
  if (fromProtocol) return { ...credentials, token: fromProtocol, source: 'subprotocol' };
  if (fromQuery) return { ...credentials, token: fromQuery, source: 'query' };
  return credentials;
}

/** Every value of a header, matched case-insensitively, from `multiValueHeaders` when present. */
function headerValues(event: WebSocketEvent, lowerName: string): string[] {
  const values: string[] = [];
  const multi = event.multiValueHeaders;
  if (multi) {
    for (const [name, list] of Object.entries(multi)) {
      if (name.toLowerCase() === lowerName && list) values.push(...list);
    }
    if (values.length > 0) return values;
  }
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (name.toLowerCase() === lowerName && value !== undefined) values.push(value);
  }
  return values;
}
