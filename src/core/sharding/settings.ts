/**
 * The sharded fan-out's settings, defined once: the Lambda functions, `topicsocket dev` and the deploy model
 * read these defaults (the variables' names and ranges: ../config-env.ts). Why these numbers:
 * docs/architecture.md, "Sharded fan-out".
 */
export interface ShardingSettings {
  /**
   * Topics with more live subscribers than this are fanned out by workers; smaller ones inline, as before.
   * Decided by the first subscriber page (read with this limit), so the inline path costs no extra request.
   */
  threshold: number;
  /** Subscribers per planned shard (a key range sized for this many). */
  shardSize: number;
  /** Most shards one publish plans (a topic larger than `maxShards * shardSize` gets bigger shards). */
  maxShards: number;
  /** Subscribers read per store page inside a shard. */
  pageSize: number;
  /** Receivers handed back to the queue per retry shard. */
  receiversPerShard: number;
  /** Retries of deferred or failed receivers before the shard is left to the queue's redrive (then the DLQ). */
  maxAttempts: number;
  /** Backoff of retry shards: `min(max, base * 2^attempt)` seconds of queue delay. */
  retryDelaySeconds: { base: number; max: number };
  /** Time a worker keeps back from its budget to enqueue what is left and mark the shard done. */
  reserveMs: number;
  /** Frames up to this size travel in the queue message; larger ones are read from history by the worker. */
  inlineFrameBytes: number;
  /** Lifetime of a shard's completion marker: longer than the queue keeps (and can re-deliver) a message. */
  markerTtlSeconds: number;
}

export const defaultShardingSettings: ShardingSettings = {
  // One store page: at 1,000 the inline fan-out's last delivery lands ~1.5 s after the publish (620-690
  // posts/s per invocation, issue 12); beyond it the ack would wait ~1.5 ms more per subscriber and reach the
  // SDK's 10 s ack timeout near 6,500, while shards run in parallel workers.
  threshold: 1000,
  // ~1.5 s of posts for one worker at today's CPU cost per post: short retries, fine-grained parallelism.
  shardSize: 1000,
  maxShards: 1000,
  pageSize: 1000,
  receiversPerShard: 1000,
  maxAttempts: 8,
  retryDelaySeconds: { base: 1, max: 30 },
  reserveMs: 3000,
  // SQS takes 256 KiB per message (and per SendMessageBatch); leave room for the shard's other fields.
  inlineFrameBytes: 200 * 1024,
  markerTtlSeconds: 2 * 60 * 60,
};
