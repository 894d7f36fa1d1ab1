import { ApiGatewayLimits } from '../../protocol/index.ts';
import { endTokenExpired } from '../token-expiry.ts';
import type { BrokerContext } from './context.ts';
import { describe } from './replies.ts';

/**
 * Closes connections when their token expires, in long-lived processes (only with `auth.expiryTimers`: a
 * Lambda container does not outlive its connections' events, and the fan-out ends expired subscribers
 * there). One timer per connection, dropped at `$disconnect`.
 */
export class ExpiryTimers {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly context: BrokerContext) {}

  /** An in-band `disconnect` first when the token expires, so the client knows why. */
  arm(connectionId: string, expiresAt: number): void {
    const delay = Math.max(0, expiresAt * 1000 - this.context.now());
    // Beyond API Gateway's 2-hour cap the connection is gone anyway (and setTimeout overflows past 24 days).
    if (delay > ApiGatewayLimits.maxConnectionDurationMs) return;
    const timer = setTimeout(() => {
      this.timers.delete(connectionId);
      void this.endNow(connectionId).catch((error: unknown) => {
        this.context.logger.warn('closing an expired connection failed', {
          connectionId,
          error: describe(error),
        });
      });
    }, delay);
    timer.unref();
    this.timers.set(connectionId, timer);
  }

  /** Ends a connection whose token has expired: `token_expired`, then DeleteConnection, then its records. */
  endNow(connectionId: string): Promise<void> {
    return endTokenExpired(this.context.fanoutDeps(), [connectionId]);
  }

  clear(connectionId: string): void {
    const timer = this.timers.get(connectionId);
    if (timer) clearTimeout(timer);
    this.timers.delete(connectionId);
  }

  dispose(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }
}
