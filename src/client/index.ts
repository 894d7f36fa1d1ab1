/**
 * topicsocket client SDK: typed, reconnecting, resubscribing; runs in browsers and Node (pass `ws` as
 * `WebSocket` where there is no global one). No Node-only imports here: this bundles for the browser.
 */
export type { DisconnectReason, ErrorCode } from '../protocol/codes.ts';
export { type BackoffOptions, backoffDelay } from './backoff.ts';
export { createClient, TopicsocketClient } from './client.ts';
export {
  type ClientErrorCode,
  ClientErrorCodes,
  type ConnectRefusal,
  ConnectRefusedError,
  isConnectRefusedError,
  isTopicsocketError,
  TopicsocketError,
  type TopicsocketErrorCode,
} from './errors.ts';
export { clientDefaults } from './options.ts';
export type * from './types.ts';
export type { WebSocketConstructor, WebSocketLike } from './websocket.ts';
