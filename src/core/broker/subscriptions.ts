import type { SubscribedFrame, SubscribeFrame, UnsubscribeFrame } from '../../protocol/index.ts';
import type { WebSocketResult } from '../events.ts';
import type { Access } from './access.ts';
import type { BrokerContext } from './context.ts';
import { Recovery } from './recovery.ts';
import { ack, fail } from './replies.ts';

/** `subscribe` (stored, then recovered from history when it is on) and `unsubscribe`, once allowed. */
export class Subscriptions {
  /** Absent: history is off, and acks carry no position. */
  private readonly recovery: Recovery | undefined;

  constructor(private readonly context: BrokerContext) {
    this.recovery = context.history ? new Recovery(context, context.history) : undefined;
  }

  async subscribe(connectionId: string, frame: SubscribeFrame, access: Access): Promise<WebSocketResult> {
    const { store, limits, metrics } = this.context;
    const ttl = Math.floor(this.context.now() / 1000) + limits.recordTtlSeconds;
    const outcome = await store.subscribe(connectionId, frame.topic, {
      expiresAt: ttl,
      // The fan-out ends the connection once its token expires (core/token-expiry.ts).
      ...(access.expiresAt === undefined ? {} : { tokenExpiresAt: access.expiresAt }),
      maxSubscriptions: limits.maxSubscriptionsPerConnection,
    });
    if (outcome === 'no_connection') {
      return fail('connection_unknown', 'this connection is no longer known; reconnect', frame.id);
    }
    if (outcome === 'limit_reached') {
      const max = limits.maxSubscriptionsPerConnection;
      return fail('too_many_subscriptions', `at most ${max} subscriptions per connection`, frame.id);
    }
    metrics.count('subscribes');
    const subscribed: SubscribedFrame = { type: 'subscribed', topic: frame.topic };
    // Read after the subscription is stored: a publish this read misses is fanned out to it (docs/history.md).
    if (this.recovery)
      Object.assign(subscribed, await this.recovery.recover(connectionId, frame.topic, frame.since));
    return ack(subscribed, frame.id);
  }

  async unsubscribe(connectionId: string, frame: UnsubscribeFrame): Promise<WebSocketResult> {
    await this.context.store.unsubscribe(connectionId, frame.topic);
    this.context.metrics.count('unsubscribes');
    return ack({ type: 'unsubscribed', topic: frame.topic }, frame.id);
  }
}
