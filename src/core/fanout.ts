import type {
  DeliveryReport,
  Gateway,
  Logger,
  Metrics,
  Store,
  SubscriberPage,
  SubscriberRangePage,
} from './ports/index.ts';
import { endTokenExpired } from './token-expiry.ts';
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

export interface FanoutDeps {
  store: Store;
  gateway: Gateway;
  logger: Logger;
  metrics: Metrics;
  cleanupConcurrency: number;
  /** Epoch ms: no page is read after it (on Lambda, shortly before the timeout would kill the invocation). */
  readDeadline?: number;
  /**
   * Called after a connection was removed here (found gone, token expired) with the topics it was a
   * presence member of: the broker sends their `leave` events. Never rejects.
   */
  onRemoved?: (connectionId: string, memberOf: readonly string[]) => Promise<void>;
}

/** Further sends of the deferred receivers after the pages, while each one still makes progress. */
const MAX_DEFERRED_PASSES = 4;

/**
 * Delivers one serialized frame to every live subscriber of a topic, page by page. One gone or failing
 * receiver never fails the others; gone connections are removed with all their subscriptions.
 */
export function fanout(deps: FanoutDeps, topic: string, frame: string): Promise<FanoutResult> {
  return deliverPages(deps, topic, frame, deps.store.subscribers(topic));
}

/**
 * The inline fan-out over pages of receivers (the sharded path's small topics come here with their one page).
 * Receivers the gateway defers (throttling) are sent again after the last page, as long as a pass delivers
 * any; what is left then is counted (`abandonedDeliveries`) and logged, never dropped silently.
 */
export async function deliverPages(
  deps: FanoutDeps,
  topic: string,
  frame: string,
  pages: AsyncIterable<SubscriberPage> | Iterable<SubscriberPage>,
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
  for await (const page of pages) {
    // Subscribers whose token expired get `token_expired` and are closed, never the message.
    if (page.tokenExpired?.length) await endTokenExpired(deps, page.tokenExpired);
    if (page.length > 0) {
      const report: DeliveryReport = await deps.gateway.send(page, frame);
      tally(report);
      if (report.deferred?.length) deferred = deferred.concat(report.deferred);
    }
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
  await removeGone(deps, gone);
  deps.metrics.count('deliveries', total.delivered);
  if (total.gone) deps.metrics.count('gone', total.gone);
  if (total.failed) deps.metrics.count('failedDeliveries', total.failed);
  return total;
}

/** A range page as the inline fan-out takes it: its live ids, and the token-expired ones beside them. */
export function subscriberPageOf(range: SubscriberRangePage): SubscriberPage {
  return range.tokenExpired?.length
    ? Object.assign([...range.connectionIds], { tokenExpired: range.tokenExpired })
    : range.connectionIds;
}

/** Removes connections found gone (410) with all their subscriptions; a failed removal is only logged. */
export async function removeGone(deps: FanoutDeps, gone: readonly string[]): Promise<void> {
  await mapLimit(gone, deps.cleanupConcurrency, async (connectionId) => {
    try {
      const memberOf = await deps.store.removeConnection(connectionId);
      if (memberOf?.length) await deps.onRemoved?.(connectionId, memberOf);
    } catch (error) {
      deps.logger.warn('could not remove gone connection', { connectionId, error: String(error) });
    }
  });
}
