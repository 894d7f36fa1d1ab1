export type { DeliveryReport, Gateway, SendOptions } from './gateway.ts';
export {
  type AppendOptions,
  type AppendResult,
  type History,
  type HistoryPage,
  hasHistory,
  type ReadOptions,
  type Retention,
  type StoredMessage,
} from './history.ts';
export { type LogFields, type Logger, silentLogger } from './logger.ts';
export { type MetricName, type Metrics, noMetrics } from './metrics.ts';
export type { ConnectionRecord, Store, SubscribeOptions, SubscribeOutcome } from './store.ts';
