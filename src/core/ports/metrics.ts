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
  | 'rateLimited';

export interface Metrics {
  count(name: MetricName, value?: number): void;
}

export const noMetrics: Metrics = { count() {} };
