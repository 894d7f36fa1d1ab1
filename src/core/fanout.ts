import type { DeliveryReport, Gateway, Logger, Metrics, Store } from './ports/index.ts';
import { endTokenExpired } from './token-expiry.ts';
import { mapLimit } from './util/map-limit.ts';

export interface FanoutResult {
  delivered: number;
  gone: number;
  failed: number;
}

/**
 * Delivers one serialized frame to every live subscriber of a topic, page by page. One gone or failing
 * receiver never fails the others; gone connections are removed with all their subscriptions.
 */
export async function fanout(
  deps: { store: Store; gateway: Gateway; logger: Logger; metrics: Metrics; cleanupConcurrency: number },
  topic: string,
  frame: string,
): Promise<FanoutResult> {
  const total: FanoutResult = { delivered: 0, gone: 0, failed: 0 };
  const gone: string[] = [];
  for await (const page of deps.store.subscribers(topic)) {
    // Subscribers whose token expired get `token_expired` and are closed, never the message.
    if (page.tokenExpired?.length) await endTokenExpired(deps, page.tokenExpired);
    if (page.length === 0) continue;
    const report: DeliveryReport = await deps.gateway.send(page, frame);
    total.delivered += report.delivered;
    total.failed += report.failed.length;
    for (const id of report.gone) gone.push(id);
    for (const failure of report.failed) {
      deps.logger.warn('delivery failed', {
        topic,
        connectionId: failure.connectionId,
        error: failure.error,
      });
    }
  }
  total.gone = gone.length;
  // Removal happens after the whole fan-out so it never delays live receivers.
  await mapLimit(gone, deps.cleanupConcurrency, async (connectionId) => {
    try {
      await deps.store.removeConnection(connectionId);
    } catch (error) {
      deps.logger.warn('could not remove gone connection', { connectionId, error: String(error) });
    }
  });
  deps.metrics.count('deliveries', total.delivered);
  if (total.gone) deps.metrics.count('gone', total.gone);
  if (total.failed) deps.metrics.count('failedDeliveries', total.failed);
  return total;
}
