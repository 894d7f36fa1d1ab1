import { serializeMessage } from '../../protocol/index.ts';
import { type FanoutDeps, removeGone } from '../fanout.ts';
import type {
  DeliveryReport,
  FanoutQueue,
  FanoutShard,
  RetainedHistory,
  ShardLedger,
  SubscriberRanges,
} from '../ports/index.ts';
import { endTokenExpired } from '../token-expiry.ts';
import type { ShardingSettings } from './settings.ts';
import { shardId } from './shard-codec.ts';

export interface ShardWorkerDeps extends FanoutDeps {
  ranges: SubscriberRanges;
  ledger: ShardLedger;
  queue: FanoutQueue;
  settings: ShardingSettings;
  /** Where `ref` shards find their frame; absent: such shards cannot be delivered (counted, logged). */
  history?: RetainedHistory;
  now: () => number;
}

export type ShardOutcome =
  /** Delivered (receivers may have been handed back to the queue for another attempt). */
  | 'done'
  /** This shard had completed before: a re-delivery, skipped. */
  | 'skipped';

/** A shard whose receivers kept failing through every attempt: the queue's redrive (then its DLQ) takes it. */
export class ShardExhaustedError extends Error {
  override readonly name = 'ShardExhaustedError';
}

interface Tally {
  delivered: number;
  gone: string[];
  retry: string[];
}

/**
 * The worker side of the sharded fan-out: delivers one shard within a time budget. What it cannot finish
 * goes back to the queue, never away: the rest of its range as a remainder shard, deferred or failed
 * receivers as a smaller retry shard (with backoff). Only then is the shard marked done, so a worker that
 * dies mid-shard leaves the shard to be delivered again (receivers may see a message twice, the SDK drops
 * it by offset; none misses it). Knows nothing of SQS or Lambda.
 */
export class ShardWorker {
  constructor(private readonly deps: ShardWorkerDeps) {}

  /** `deadline`: epoch milliseconds by which the call must return (the invocation's end, less slack). */
  async process(shard: FanoutShard, deadline: number): Promise<ShardOutcome> {
    const { deps } = this;
    if (await deps.ledger.isShardDone(shard.id)) {
      deps.metrics.count('shardsSkipped');
      deps.logger.info('shard already done, skipped', { topic: shard.topic, shard: shard.id });
      return 'skipped';
    }
    const frame = await this.frameOf(shard);
    const budgetEnd = deadline - deps.settings.reserveMs;
    const tally: Tally = { delivered: 0, gone: [], retry: [] };
    let remainder: FanoutShard | undefined;
    if (frame !== undefined) {
      if (shard.receivers) {
        this.record(shard, tally, await deps.gateway.send(shard.receivers, frame, { deadline: budgetEnd }));
      } else {
        remainder = await this.deliverRange(shard, frame, budgetEnd, tally);
      }
    }
    // Gone ones are removed and deliveries counted even if the retries below are used up (and it throws).
    await removeGone(deps, tally.gone);
    deps.metrics.count('deliveries', tally.delivered);
    if (tally.gone.length) deps.metrics.count('gone', tally.gone.length);
    await this.handOn(shard, remainder, tally.retry);
    const expiresAt = Math.floor(deps.now() / 1000) + deps.settings.markerTtlSeconds;
    if (!(await deps.ledger.markShardDone(shard.id, expiresAt))) {
      // A concurrent copy of this shard finished first: its receivers may have got the message twice.
      deps.logger.info('shard finished twice concurrently', { topic: shard.topic, shard: shard.id });
    }
    deps.metrics.count('shardsDone');
    return 'done';
  }

  /** Pages through the shard's key range until it ends or the budget does; returns what is left. */
  private async deliverRange(
    shard: FanoutShard,
    frame: string,
    budgetEnd: number,
    tally: Tally,
  ): Promise<FanoutShard | undefined> {
    const { deps } = this;
    const until = shard.range?.until;
    let after = shard.range?.after;
    for (;;) {
      const page = await deps.ranges.subscriberPage(
        shard.topic,
        { ...(after === undefined ? {} : { after }), ...(until === undefined ? {} : { until }) },
        deps.settings.pageSize,
      );
      if (page.tokenExpired?.length) await endTokenExpired(deps, page.tokenExpired);
      if (page.connectionIds.length > 0) {
        this.record(
          shard,
          tally,
          await deps.gateway.send(page.connectionIds, frame, { deadline: budgetEnd }),
        );
      }
      if (page.next === undefined) return undefined;
      after = page.next;
      if (deps.now() >= budgetEnd) {
        const { receivers: _none, ...rest } = shard;
        return {
          ...rest,
          id: shardId(shard.id, 'rest', after),
          range: until === undefined ? { after } : { after, until },
        };
      }
    }
  }

  private record(shard: FanoutShard, tally: Tally, report: DeliveryReport): void {
    tally.delivered += report.delivered;
    for (const id of report.gone) tally.gone.push(id);
    for (const id of report.deferred ?? []) tally.retry.push(id);
    for (const failure of report.failed) {
      tally.retry.push(failure.connectionId);
      this.deps.logger.warn('delivery failed, will retry', {
        topic: shard.topic,
        connectionId: failure.connectionId,
        error: failure.error,
        attempt: shard.attempt,
      });
    }
  }

  /** Enqueues the remainder and the retries before the shard may be marked done. */
  private async handOn(
    shard: FanoutShard,
    remainder: FanoutShard | undefined,
    retry: string[],
  ): Promise<void> {
    const { deps } = this;
    if (remainder) {
      await deps.queue.enqueue([remainder]);
      deps.metrics.count('shardRemainders');
    }
    if (retry.length === 0) return;
    if (shard.attempt >= deps.settings.maxAttempts) {
      deps.metrics.count('failedDeliveries', retry.length);
      deps.metrics.count('shardsFailed');
      throw new ShardExhaustedError(
        `${retry.length} receiver(s) of ${shard.topic} still failing after ${shard.attempt} retries`,
      );
    }
    const { range: _range, receivers: _receivers, ...base } = shard;
    const size = deps.settings.receiversPerShard;
    const retries: FanoutShard[] = [];
    for (let start = 0; start < retry.length; start += size) {
      retries.push({
        ...base,
        id: shardId(shard.id, 'retry', String(start)),
        receivers: retry.slice(start, start + size),
        attempt: shard.attempt + 1,
      });
    }
    const { base: first, max } = deps.settings.retryDelaySeconds;
    await deps.queue.enqueue(retries, { delaySeconds: Math.min(max, first * 2 ** shard.attempt) });
    deps.metrics.count('receiversRetried', retry.length);
  }

  /** The frame to send: carried by the shard, or read back from the topic's history. */
  private async frameOf(shard: FanoutShard): Promise<string | undefined> {
    if (shard.frame !== undefined) return shard.frame;
    const ref = shard.ref;
    const history = this.deps.history;
    if (ref && history) {
      const page = await history.store.read(shard.topic, ref.offset - 1, {
        retention: history.retention,
        limit: 1,
      });
      const message = page.messages[0];
      if (page.epoch === ref.epoch && message?.offset === ref.offset) {
        return serializeMessage(shard.topic, message.data, ref);
      }
    }
    // Retrying cannot bring it back: say so loudly, once per shard.
    this.deps.metrics.count('shardFramesMissing');
    this.deps.logger.error('shard message no longer in history; its receivers miss it', {
      topic: shard.topic,
      shard: shard.id,
      ...ref,
    });
    return undefined;
  }
}
