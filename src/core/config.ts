import { ApiGatewayLimits } from '../protocol/index.ts';
import type { RateLimit } from './limits/index.ts';

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
}

export const defaultBrokerLimits: BrokerLimits = {
  maxMessageBytes: ApiGatewayLimits.maxMessageBytes,
  maxSubscriptionsPerConnection: 100,
  recordTtlSeconds: ApiGatewayLimits.maxConnectionDurationMs / 1000 + 10 * 60,
  cleanupConcurrency: 10,
  publishRate: { perSecond: 100, burst: 200 },
};
