import { type DisconnectFrame, DisconnectReasons } from '../protocol/index.ts';
import type { Gateway, Logger, Metrics, Store } from './ports/index.ts';
import { mapLimit } from './util/map-limit.ts';

const frame: DisconnectFrame = {
  type: 'disconnect',
  reason: 'token_expired',
  message: 'the token has expired; reconnect with a fresh one',
  reconnect: DisconnectReasons.token_expired.reconnect,
};

/** What a connection whose token expired is told before it is closed. Serialized once. */
export const TOKEN_EXPIRED_FRAME = JSON.stringify(frame);

/**
 * Ends connections whose token has expired: the in-band `disconnect` (reason `token_expired`), then
 * DeleteConnection, then the records go, so the next fan-out does not find them again. The fan-out calls it
 * for each page's `tokenExpired` (Store.subscribers), which is how expiry reaches a connection on AWS that
 * never invokes the function again (pings are answered by API Gateway's MOCK route). Never throws.
 */
export async function endTokenExpired(
  deps: {
    store: Store;
    gateway: Gateway;
    logger: Logger;
    metrics: Metrics;
    cleanupConcurrency: number;
    onRemoved?: (connectionId: string, memberOf: readonly string[]) => Promise<void>;
  },
  connectionIds: readonly string[],
): Promise<void> {
  if (connectionIds.length === 0) return;
  deps.metrics.count('tokensExpired', connectionIds.length);
  // The frame only says why; the connection is closed below whether or not it arrived.
  await deps.gateway.send(connectionIds, TOKEN_EXPIRED_FRAME).catch((error: unknown) => {
    deps.logger.warn('could not send token_expired before closing', {
      count: connectionIds.length,
      error: String(error),
    });
  });
  await mapLimit(connectionIds, deps.cleanupConcurrency, async (connectionId) => {
    try {
      deps.logger.info('token expired', { connectionId });
      await deps.gateway.close(connectionId);
      const memberOf = await deps.store.removeConnection(connectionId);
      if (memberOf?.length) await deps.onRemoved?.(connectionId, memberOf);
    } catch (error) {
      deps.logger.warn('could not end a connection whose token expired', {
        connectionId,
        error: String(error),
      });
    }
  });
}
