/** Counters the broker emits; CloudWatch EMF on Lambda, in-process counters locally. */
export type MetricName =
  | 'connects'
  | 'disconnects'
  | 'subscribes'
  | 'unsubscribes'
  | 'publishes'
  | 'deliveries'
  | 'gone'
  | 'failedDeliveries'
  | 'throttled'
  | 'errors'
  /** `$connect` refused: no, invalid or expired token. */
  | 'connectsRefused'
  /** Connections closed because their token expired. */
  | 'tokensExpired'
  /** Subscribe or publish outside the connection's permissions. */
  | 'forbidden'
  /** Publish frames refused by the per-connection rate limit. */
  | 'rateLimited'
  /** Publishes whose idempotency key was seen before: not stored or delivered again. */
  | 'duplicatePublishes'
  /** Subscribes with `since` answered `recovered: true`, and the messages their replays sent. */
  | 'recoveries'
  | 'replayedMessages'
  /** Subscribes with `since` answered `recovered: false` (history too short, or another epoch not replayed). */
  | 'recoveriesFailed'
  /** Subscribes with `since` in an older epoch that got the whole current epoch replayed (`reset: 'replayed'`). */
  | 'resetsReplayed';

export interface Metrics {
  count(name: MetricName, value?: number): void;
}

export const noMetrics: Metrics = { count() {} };
