import type { ShardLedger } from '../../core/index.ts';

/** Markers kept at most; past it the expired go first, then the oldest (a bound, as for every cache). */
const MAX_MARKERS = 100_000;

/** Shard completion markers in memory, with the same TTL semantics as the DynamoDB items. */
export class MemoryShardLedger implements ShardLedger {
  /** shardId -> expiresAt (epoch seconds), in insertion order. */
  private readonly markers = new Map<string, number>();

  constructor(private readonly now: () => number) {}

  async isShardDone(shardId: string): Promise<boolean> {
    const expiresAt = this.markers.get(shardId);
    return expiresAt !== undefined && expiresAt > this.nowSeconds();
  }

  async markShardDone(shardId: string, expiresAt: number): Promise<boolean> {
    if (await this.isShardDone(shardId)) return false;
    this.markers.delete(shardId);
    this.markers.set(shardId, expiresAt);
    if (this.markers.size > MAX_MARKERS) this.prune();
    return true;
  }

  private prune(): void {
    const nowSeconds = this.nowSeconds();
    for (const [id, expiresAt] of this.markers) if (expiresAt <= nowSeconds) this.markers.delete(id);
    for (const id of this.markers.keys()) {
      if (this.markers.size <= MAX_MARKERS) break;
      this.markers.delete(id);
    }
  }

  private nowSeconds(): number {
    return Math.floor(this.now() / 1000);
  }
}
