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
  /** Each 429 / LimitExceededException from `@connections` (account throttle or a receiver's full buffer). */
  | 'throttled'
  /** Posts sent again after a 429, 5xx or timeout. */
  | 'postRetries'
  /** Times a gateway cut its pace because the account was throttling (AIMD decrease). */
  | 'rateCuts'
  /** Receivers a gateway call did not reach within its time budget (retryable). */
  | 'deferredDeliveries'
  /** Receivers reported failed because their own buffer stayed full while others were delivered. */
  | 'slowReceivers'
  /** Deferred receivers the inline fan-out finally gave up on: not delivered, not retried further. */
  | 'abandonedDeliveries'
  /** Fan-outs that reached their read deadline before the last subscriber page (the rest not even counted). */
  | 'truncatedFanouts'
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
  /** Subscribes with `since` answered `recovered: false` (history too short, or another epoch). */
  | 'recoveriesFailed';

export interface Metrics {
  count(name: MetricName, value?: number): void;
}

export const noMetrics: Metrics = { count() {} };
