export type { EnqueueOptions, FanoutQueue, FanoutShard } from './fanout-queue.ts';
export type { DeliveryReport, Gateway, SendOptions } from './gateway.ts';
export type {
  AppendOptions,
  AppendResult,
  History,
  HistoryPage,
  LatestOptions,
  ReadOptions,
  RetainedHistory,
  Retention,
  StoredMessage,
} from './history.ts';
export {
  type ConnectionSummary,
  hasInventory,
  type Inventory,
  type ListOptions,
  type ListPage,
  type TopicSummary,
} from './inventory.ts';
export { type LogFields, type Logger, silentLogger } from './logger.ts';
export { type MetricName, type Metrics, noMetrics } from './metrics.ts';
export { hasShardLedger, type ShardLedger } from './shard-ledger.ts';
export type {
  ConnectionRecord,
  Store,
  SubscribeOptions,
  SubscribeOutcome,
  SubscriberPage,
} from './store.ts';
export {
  hasSubscriberRanges,
  type SubscriberRange,
  type SubscriberRangePage,
  type SubscriberRanges,
} from './subscriber-ranges.ts';
