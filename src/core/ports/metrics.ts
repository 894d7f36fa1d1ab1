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
  /** Subscribes with `since` answered `recovered: false` (history too short, or another epoch not replayed). */
  | 'recoveriesFailed'
  /** Subscribes with `since` in an older epoch that got the whole current epoch replayed (`reset: 'replayed'`). */
  | 'resetsReplayed'
  /** Sharded fan-out (docs/architecture.md): shards a publish handed to the queue, and shards workers finished. */
  | 'shardsScheduled'
  | 'shardsDone'
  /** A shard delivered again after it had succeeded (queue re-delivery): recognized by its marker, skipped. */
  | 'shardsSkipped'
  /** Shards re-enqueued with the rest of their range because the worker's time budget ran out. */
  | 'shardRemainders'
  /** Receivers sent back to the queue (deferred by throttling, or failed) for another attempt. */
  | 'receiversRetried'
  /** Shards a worker could not finish (an error, or retries used up): left to the queue's redrive and DLQ. */
  | 'shardsFailed'
  /** Shards whose message was no longer in history (referenced, not carried): their receivers miss it. */
  | 'shardFramesMissing'
  /** `join`/`leave`/`presence_resync` fan-outs sent to a topic's members. */
  | 'presenceEvents'
  /** Presence events over the per-topic cap: not sent on their own (one `presence_resync` stands for them). */
  | 'presenceEventsCoalesced'
  /** Presence members found gone when listed (a missed `$disconnect`): removed, not shown. */
  | 'presenceGhosts'
  /** Server hooks (docs/hooks.md): refusals, calls that threw or answered the wrong shape, calls past their budget. */
  | 'hookRejections'
  | 'hookErrors'
  | 'hookTimeouts';

export interface Metrics {
  count(name: MetricName, value?: number): void;
}

export const noMetrics: Metrics = { count() {} };
