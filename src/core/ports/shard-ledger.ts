/**
 * Completion markers of fan-out shards: a shard re-delivered after it succeeded (the queue is
 * at-least-once; a worker can die between finishing and the delete) is recognized and skipped. Markers
 * expire (`expiresAt`, epoch seconds) once no queue can deliver the shard again. A store offers its own as
 * `store.shardLedger` (both bundled stores do, in the same table or process).
 */
export interface ShardLedger {
  isShardDone(shardId: string): Promise<boolean>;
  /** Marks the shard done; false when it was marked already (a concurrent copy finished first). */
  markShardDone(shardId: string, expiresAt: number): Promise<boolean>;
}
