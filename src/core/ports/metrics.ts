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
  | 'errors';

export interface Metrics {
  count(name: MetricName, value?: number): void;
}

export const noMetrics: Metrics = { count() {} };
