import type { StreamPosition } from '../../protocol/index.ts';
import type { FanoutDeps } from '../fanout.ts';
import {
  type FanoutQueue,
  hasSubscriberRanges,
  type RetainedHistory,
  type ShardLedger,
  type SubscriberRanges,
} from '../ports/index.ts';
import { publishSharded, type ShardedFanoutResult } from './planner.ts';
import { defaultShardingSettings, type ShardingSettings } from './settings.ts';
import { ShardWorker } from './worker.ts';

/** What a runtime gives the broker to turn the sharded fan-out on. */
export interface BrokerSharding {
  queue: FanoutQueue;
  settings?: Partial<ShardingSettings>;
  /** Shard completion markers. Default: the store's own (`store.shardLedger`; both bundled stores keep them). */
  ledger?: ShardLedger;
}

/**
 * The broker's sharded fan-out: its planner and a worker on the same dependencies. `deps` is read per
 * publish and per worker: it carries the current invocation's read deadline, and a broker outlives the
 * invocation that built it (a Lambda container keeps it).
 */
export class Sharding {
  private constructor(
    private readonly deps: () => FanoutDeps,
    private readonly ranges: SubscriberRanges,
    private readonly ledger: ShardLedger,
    private readonly queue: FanoutQueue,
    readonly settings: ShardingSettings,
    private readonly history: RetainedHistory | undefined,
    private readonly now: () => number,
  ) {}

  /** Undefined (inline fan-out only) when the store cannot read subscriber ranges or keep markers. */
  static create(
    options: BrokerSharding,
    deps: () => FanoutDeps,
    history: RetainedHistory | undefined,
    now: () => number,
  ): Sharding | undefined {
    const { store, logger } = deps();
    const ledger = options.ledger ?? store.shardLedger;
    if (!hasSubscriberRanges(store) || !ledger) {
      logger.warn('sharded fan-out is off: the store cannot read subscriber ranges or keep shard markers');
      return undefined;
    }
    return new Sharding(
      deps,
      store,
      ledger,
      options.queue,
      { ...defaultShardingSettings, ...options.settings },
      history,
      now,
    );
  }

  publish(topic: string, frame: string, position: StreamPosition | undefined): Promise<ShardedFanoutResult> {
    return publishSharded(
      { ...this.deps(), ranges: this.ranges, queue: this.queue, settings: this.settings, now: this.now },
      topic,
      frame,
      position,
    );
  }

  worker(): ShardWorker {
    // A worker is built once per container and lives across invocations: it must not keep this
    // invocation's read deadline. Its time budget is each shard's own deadline (ShardWorker.process).
    const { readDeadline: _notTheWorkers, ...deps } = this.deps();
    return new ShardWorker({
      ...deps,
      ranges: this.ranges,
      ledger: this.ledger,
      queue: this.queue,
      settings: this.settings,
      ...(this.history ? { history: this.history } : {}),
      now: this.now,
    });
  }
}
