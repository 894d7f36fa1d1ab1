/**
 * The part of the WebSocket API the SDK uses. Both the browser's `WebSocket` and the `ws` package fit it.
 * Handler parameters are typed `never` on purpose: each implementation declares its own event classes, and
 * the SDK reads only `data` (message) and `code`/`reason` (close) from them.
 */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  /** `ws` only: drops the TCP connection at once, without a closing handshake. */
  terminate?(): void;
  onopen: ((event: never) => void) | null;
  onmessage: ((event: never) => void) | null;
  onclose: ((event: never) => void) | null;
  onerror: ((event: never) => void) | null;
}

export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** `WebSocket.OPEN`; a literal so nothing depends on the constructor having static fields. */
export const OPEN = 1;

export interface MessageEventLike {
  data: unknown;
}

export interface CloseEventLike {
  code: number;
  reason: string;
}

/** The `WebSocket` constructor to use: the injected one, else the global (browsers, Node 22+, Deno, Bun). */
export function resolveWebSocket(injected: WebSocketConstructor | undefined): WebSocketConstructor {
  if (injected) return injected;
  const global = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (!global) {
    throw new TypeError(
      'no global WebSocket: pass one, e.g. createClient({ url, WebSocket }) with `import WebSocket from "ws"`',
    );
  }
  return global;
}
