import {
  decodeShard,
  type EnqueueOptions,
  encodeShard,
  type FanoutQueue,
  type FanoutShard,
  type Logger,
  type Metrics,
  noMetrics,
  type ShardWorker,
  silentLogger,
} from '../../core/index.ts';

export interface InProcessFanoutQueueOptions {
  /** Shards delivered at once: the local stand-in for the event source's maximum concurrency. Default 4. */
  concurrency?: number;
  /** Time budget of one shard, as the worker Lambda's timeout. Default 20 s. */
  budgetMs?: number;
  /** Deliveries of one shard that may fail before it is dead-lettered (SQS maxReceiveCount). Default 5. */
  maxReceives?: number;
  /** How long a shard whose worker failed stays invisible (SQS visibility timeout). Default 1 s. */
  retryDelayMs?: number;
  /** Milliseconds per second of `delaySeconds` (tests shorten retry backoff with it). Default 1000. */
  msPerDelaySecond?: number;
  /** Shards held at most (queued, delayed or running); past it `enqueue` rejects. Default 100,000. */
  maxShards?: number;
  logger?: Logger;
  metrics?: Metrics;
}

interface Entry {
  /** Serialized, as a queue holds it: a worker never shares objects with the publisher. */
  body: string;
  receives: number;
}

/**
 * The FanoutQueue of the local runtime: the same shards and the same ShardWorker as on AWS, in process,
 * with SQS's failure semantics where they matter (a failed shard comes back after a delay, then goes to a
 * dead-letter list after `maxReceives`). No durability: a process exit loses queued shards, as it loses the
 * memory store.
 */
export class InProcessFanoutQueue implements FanoutQueue {
  private worker: ShardWorker | undefined;
  private readonly ready: Entry[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private running = 0;
  private held = 0;
  private closed = false;
  private idleWaiters: Array<() => void> = [];
  /** Shards that failed `maxReceives` times (a deployed stack's DLQ; its depth alarm is the log line). */
  readonly deadLetters: FanoutShard[] = [];
  private readonly concurrency: number;
  private readonly budgetMs: number;
  private readonly maxReceives: number;
  private readonly retryDelayMs: number;
  private readonly msPerDelaySecond: number;
  private readonly maxShards: number;
  private readonly logger: Logger;
  private readonly metrics: Metrics;

  constructor(options: InProcessFanoutQueueOptions = {}) {
    this.concurrency = options.concurrency ?? 4;
    this.budgetMs = options.budgetMs ?? 20_000;
    this.maxReceives = options.maxReceives ?? 5;
    this.retryDelayMs = options.retryDelayMs ?? 1000;
    this.msPerDelaySecond = options.msPerDelaySecond ?? 1000;
    this.maxShards = options.maxShards ?? 100_000;
    this.logger = options.logger ?? silentLogger;
    this.metrics = options.metrics ?? noMetrics;
  }

  /** The worker that takes the shards (created by the broker that schedules them). */
  attach(worker: ShardWorker): void {
    this.worker = worker;
    this.pump();
  }

  async enqueue(shards: readonly FanoutShard[], options: EnqueueOptions = {}): Promise<void> {
    if (this.closed) throw new Error('the fan-out queue is closed');
    if (this.held + shards.length > this.maxShards) {
      throw new Error(`the fan-out queue holds ${this.held} shards already (at most ${this.maxShards})`);
    }
    const entries = shards.map((shard) => ({ body: encodeShard(shard), receives: 0 }));
    this.held += entries.length;
    const delayMs = (options.delaySeconds ?? 0) * this.msPerDelaySecond;
    for (const entry of entries) this.later(entry, delayMs);
  }

  /** Resolves once nothing is queued, delayed or running (tests await delivery with it). */
  idle(): Promise<void> {
    if (this.held === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Shards queued, delayed or running. */
  get size(): number {
    return this.held;
  }

  /** Stops taking shards; running ones finish. Queued and delayed ones are dropped (said in the log). */
  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.ready.length = 0;
    const dropped = this.held - this.running;
    if (dropped > 0) this.logger.warn('fan-out queue closed with shards not delivered', { shards: dropped });
    this.held = this.running;
    if (this.running > 0) await this.idle();
  }

  private later(entry: Entry, delayMs: number): void {
    if (delayMs <= 0) {
      this.ready.push(entry);
      this.pump();
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.ready.push(entry);
      this.pump();
    }, delayMs);
    timer.unref();
    this.timers.add(timer);
  }

  private pump(): void {
    while (!this.closed && this.worker && this.running < this.concurrency && this.ready.length > 0) {
      const entry = this.ready.shift() as Entry;
      this.running++;
      void this.run(this.worker, entry);
    }
  }

  private async run(worker: ShardWorker, entry: Entry): Promise<void> {
    entry.receives++;
    let requeue = false;
    try {
      await worker.process(decodeShard(entry.body), Date.now() + this.budgetMs);
    } catch (error) {
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      if (entry.receives >= this.maxReceives || this.closed) {
        this.deadLetters.push(JSON.parse(entry.body) as FanoutShard);
        this.metrics.count('shardsFailed');
        this.logger.error('fan-out shard dead-lettered', { receives: entry.receives, error: reason });
      } else {
        this.logger.warn('fan-out shard failed, will be retried', {
          receives: entry.receives,
          error: reason,
        });
        requeue = true;
      }
    } finally {
      this.running--;
    }
    if (requeue) this.later(entry, this.retryDelayMs);
    else this.held--;
    this.pump();
    if (this.held === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }
}
