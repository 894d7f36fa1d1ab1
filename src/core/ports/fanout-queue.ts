/**
 * The sharded fan-out's hand-off (docs/architecture.md, "Sharded fan-out"): the publishing invocation
 * enqueues shards of a big topic's subscriber set, workers deliver them. SQS on AWS, an in-process queue
 * locally. A queue delivers each shard at least once; ShardLedger makes a completed shard a no-op.
 */

/** One unit of fan-out work: one message to a part of one topic's subscribers. */
export interface FanoutShard {
  /** Format version, so a worker can refuse a message it does not understand (it goes to the DLQ). */
  v: 1;
  /**
   * Stable for one piece of work: a re-delivery of the same queue message, or the same publish planned
   * twice (a retried idempotent publish), has the same id; a remainder or a retry has its own.
   */
  id: string;
  topic: string;
  /** The serialized `message` frame, when it fits in a queue message; else `ref`. */
  frame?: string;
  /** The message's position in the topic's history: the worker reads the frame from there. */
  ref?: { epoch: string; offset: number };
  /** Live subscribers whose connection id is in (`after`, `until`]; an absent bound is open. */
  range?: { after?: string; until?: string };
  /** Or exactly these receivers: a retry of receivers that were deferred or failed. */
  receivers?: string[];
  /** 0 for planned shards and their remainders; +1 per retry of receivers. */
  attempt: number;
  /** Epoch milliseconds of the publish, for the fan-out age metric. */
  publishedAt: number;
}

export interface EnqueueOptions {
  /** Hold the shards back this long before a worker may take them (a retry's backoff). */
  delaySeconds?: number;
}

export interface FanoutQueue {
  /** Resolves once every shard is durably queued; rejects if any could not be (nothing is dropped quietly). */
  enqueue(shards: readonly FanoutShard[], options?: EnqueueOptions): Promise<void>;
}
