import { ApiGatewayLimits } from '../protocol/index.ts';
import type { BrokerSettings } from './config-env.ts';
import type { RateLimit } from './limits/index.ts';
import type { Retention } from './ports/history.ts';

/** Broker limits; defaults mirror API Gateway so both runtimes refuse the same things. */
export interface BrokerLimits {
  /** Largest frame accepted from a client and largest message delivered. */
  maxMessageBytes: number;
  maxSubscriptionsPerConnection: number;
  /** Lifetime of connection and subscription records: the longest a connection can live, plus slack. */
  recordTtlSeconds: number;
  /** How many gone connections are removed from the store at once after a fan-out. */
  cleanupConcurrency: number;
  /**
   * Publish frames per connection (token bucket, per process: per Lambda container on AWS, where the
   * stage's route throttling is the global bound). `false` turns it off. Past it: `rate_limited`.
   */
  publishRate: RateLimit | false;
  /**
   * Per-topic history for recovery after reconnects (docs/history.md): the newest `maxMessages`, none older
   * than `maxAgeSeconds`. `false` turns history off (no offsets, no replay). Used when the store keeps history.
   */
  history: Retention | false;
  /** Messages read per store page during a replay, and the cap of one `history` request. */
  historyPageSize: number;
  /**
   * `history` frames per connection (token bucket, per process as `publishRate`). Each reads at most one
   * answer's worth (128 KB) from the store. `false` turns it off. Past it: `rate_limited`.
   */
  historyRate: RateLimit | false;
  /**
   * `join`/`leave` events sent per topic and second, counted across every process in the store; the first
   * one over the cap in a second sends `presence_resync` instead (docs/protocol.md, "Presence").
   */
  presenceEventsPerSecond: number;
  /** The token claims a presence member shows (next to its `user` data), when the token has them. */
  presenceClaims: readonly string[];
}

/**
 * Default history retention. Reconnects (idle timeout, the 2-hour rollover, a deploy, a blip) come back
 * within seconds; 5 minutes and 1,000 messages cover them at a few cents per million publishes
 * (docs/history.md).
 */
export const DEFAULT_RETENTION: Retention = { maxMessages: 1000, maxAgeSeconds: 300 };

export const defaultBrokerLimits: BrokerLimits = {
  maxMessageBytes: ApiGatewayLimits.maxMessageBytes,
  maxSubscriptionsPerConnection: 100,
  recordTtlSeconds: ApiGatewayLimits.maxConnectionDurationMs / 1000 + 10 * 60,
  cleanupConcurrency: 10,
  publishRate: { perSecond: 100, burst: 200 },
  history: DEFAULT_RETENTION,
  historyPageSize: 100,
  historyRate: { perSecond: 5, burst: 20 },
  presenceEventsPerSecond: 10,
  presenceClaims: ['sub'],
};

/**
 * Broker limits from settings (environment variables or `topicsocket dev` flags, both runtimes): only what
 * is set; a retention given in part keeps the default for the rest, and 0 messages turns history off.
 */
export function brokerLimitsFrom(settings: BrokerSettings): Partial<BrokerLimits> {
  const limits: Partial<BrokerLimits> = {};
  if (settings.maxSubscriptions !== undefined)
    limits.maxSubscriptionsPerConnection = settings.maxSubscriptions;
  if (settings.historyMessages === 0) limits.history = false;
  else if (settings.historyMessages !== undefined || settings.historySeconds !== undefined) {
    limits.history = {
      maxMessages: settings.historyMessages ?? DEFAULT_RETENTION.maxMessages,
      maxAgeSeconds: settings.historySeconds ?? DEFAULT_RETENTION.maxAgeSeconds,
    };
  }
  if (settings.presenceEventsPerSecond !== undefined) {
    limits.presenceEventsPerSecond = settings.presenceEventsPerSecond;
  }
  if (settings.presenceClaims !== undefined) limits.presenceClaims = settings.presenceClaims;
  return limits;
}
