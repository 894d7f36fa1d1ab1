import type { DeliveryReport, Gateway, Logger, Metrics, Store } from './ports/index.ts';
import { mapLimit } from './util/map-limit.ts';

export interface FanoutResult {
  delivered: number;
  gone: number;
  failed: number;
  /** Receivers the gateway deferred (throttled past its budget) and that were still not delivered at the end. */
  abandoned: number;
  /** The fan-out reached its read deadline before the last page: later subscribers were not even counted. */
  truncated?: true;
}

/** Further sends of the deferred receivers after the pages, while each one still makes progress. */
const MAX_DEFERRED_PASSES = 4;

/**
 * Delivers one serialized frame to every live subscriber of a topic, page by page. One gone or failing
 * receiver never fails the others; gone connections are removed with all their subscriptions. Receivers
 * the gateway defers (throttling) are sent again after the last page, as long as a pass delivers any; what
 * is left then is counted (`abandonedDeliveries`) and logged, never dropped silently.
 */
export async function fanout(
  deps: {
    store: Store;
    gateway: Gateway;
    logger: Logger;
    metrics: Metrics;
    cleanupConcurrency: number;
    /** Epoch ms: no page is read after it (on Lambda, shortly before the timeout would kill the invocation). */
    readDeadline?: number;
  },
  topic: string,
  frame: string,
): Promise<FanoutResult> {
  const total: FanoutResult = { delivered: 0, gone: 0, failed: 0, abandoned: 0 };
  const gone: string[] = [];
  let deferred: string[] = [];
  const tally = (report: DeliveryReport) => {
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
  };
  for await (const page of deps.store.subscribers(topic)) {
    if (page.length === 0) continue;
    const report: DeliveryReport = await deps.gateway.send(page, frame);
    tally(report);
    if (report.deferred?.length) deferred = deferred.concat(report.deferred);
    if (deps.readDeadline !== undefined && Date.now() >= deps.readDeadline) {
      total.truncated = true;
      break;
    }
  }
  for (let pass = 0; pass < MAX_DEFERRED_PASSES && deferred.length > 0 && !total.truncated; pass++) {
    const report = await deps.gateway.send(deferred, frame);
    tally(report);
    const still = report.deferred ?? [];
    const progressed = still.length < deferred.length;
    deferred = still;
    if (!progressed) break;
  }
  if (deferred.length > 0) {
    total.abandoned = deferred.length;
    deps.metrics.count('abandonedDeliveries', deferred.length);
    deps.logger.error('gave up on throttled receivers', {
      topic,
      count: deferred.length,
      connectionIds: deferred.slice(0, 20),
    });
  }
  if (total.truncated) {
    deps.metrics.count('truncatedFanouts');
    deps.logger.error('fan-out stopped at its deadline before the last subscriber page', {
      topic,
      delivered: total.delivered,
      abandoned: total.abandoned,
    });
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
