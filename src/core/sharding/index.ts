/** Sharded fan-out: the planner (publishing side) and the worker, behind FanoutQueue and ShardLedger. */

export type { BrokerSharding } from './broker-sharding.ts';
export { estimateTotal, keyAt, keyPosition, splitKeySpace } from './key-space.ts';
export { type PlannerDeps, planShards, publishSharded, type ShardedFanoutResult } from './planner.ts';
export { defaultShardingSettings, type ShardingSettings } from './settings.ts';
export { decodeShard, encodeShard, ShardFormatError, shardId } from './shard-codec.ts';
export { ShardExhaustedError, type ShardOutcome, ShardWorker, type ShardWorkerDeps } from './worker.ts';
