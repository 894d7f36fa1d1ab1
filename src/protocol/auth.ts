/**
 * How a client presents its token at connect. Browsers cannot set headers on a WebSocket, so the token
 * travels in the query string or as one entry of `Sec-WebSocket-Protocol`. The server only ever echoes
 * {@link SUBPROTOCOL}, never the entry that carries the token.
 */

/** The subprotocol a client offers (and the server echoes) to speak protocol v1. */
export const SUBPROTOCOL = 'topicsocket.v1';

/** Prefix of the subprotocol entry that carries the token: `topicsocket.token.<jwt>`. */
export const TOKEN_SUBPROTOCOL_PREFIX = 'topicsocket.token.';

/** Query-string parameter that carries the token: `wss://host/stage?token=<jwt>`. */
export const TOKEN_QUERY_PARAMETER = 'token';

/** The `Sec-WebSocket-Protocol` list a client offers to send `token` that way. */
export function tokenSubprotocols(token: string): string[] {
  return [SUBPROTOCOL, `${TOKEN_SUBPROTOCOL_PREFIX}${token}`];
}
