import {
  isPattern,
  type StreamPosition,
  type SubscribedFrame,
  type SubscribeFrame,
  type TopicRecovery,
  type UnsubscribeFrame,
} from '../../protocol/index.ts';
import type { WebSocketResult } from '../events.ts';
import { memberData } from '../presence/member-data.ts';
import type { Access } from './access.ts';
import type { BrokerContext } from './context.ts';
import { Recovery } from './recovery.ts';
import { ack, fail } from './replies.ts';

/**
 * `subscribe` (stored, then recovered from history when it is on) and `unsubscribe`, once allowed. A pattern
 * (`orders/*`) is stored like a topic and recovered per concrete topic (`positions`); a presence subscribe
 * makes the connection a member and sends its `join`.
 */
export class Subscriptions {
  /** Absent: history is off, and acks carry no position. */
  private readonly recovery: Recovery | undefined;

  constructor(private readonly context: BrokerContext) {
    this.recovery = context.history ? new Recovery(context, context.history) : undefined;
  }

  async subscribe(connectionId: string, frame: SubscribeFrame, access: Access): Promise<WebSocketResult> {
    const { store, limits, metrics } = this.context;
    if (frame.presence && !store.presence) {
      return fail('bad_frame', 'subscribe: this server keeps no presence', frame.id);
    }
    const ttl = Math.floor(this.context.now() / 1000) + limits.recordTtlSeconds;
    const outcome = await store.subscribe(connectionId, frame.topic, {
      expiresAt: ttl,
      // The fan-out ends the connection once its token expires (core/token-expiry.ts).
      ...(access.expiresAt === undefined ? {} : { tokenExpiresAt: access.expiresAt }),
      maxSubscriptions: limits.maxSubscriptionsPerConnection,
      ...(frame.presence ? { presence: { claims: limits.presenceClaims } } : {}),
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
    if (this.recovery && !isPattern(frame.topic)) {
      Object.assign(subscribed, await this.recovery.recover(connectionId, frame.topic, frame.since));
    } else if (this.recovery && frame.positions) {
      Object.assign(subscribed, await this.recoverTopics(this.recovery, connectionId, frame.positions));
    }
    // A renewal (the SDK resubscribing on the same connection) is the same member: no second `join`.
    if (frame.presence && outcome === 'subscribed') await this.announce(connectionId, frame.topic);
    return ack(subscribed, frame.id);
  }

  async unsubscribe(connectionId: string, frame: UnsubscribeFrame): Promise<WebSocketResult> {
    let left = false;
    await this.context.store.unsubscribe(connectionId, frame.topic, () => {
      left = true;
    });
    this.context.metrics.count('unsubscribes');
    if (left) await this.context.presenceEvents?.leave(frame.topic, connectionId);
    return ack({ type: 'unsubscribed', topic: frame.topic }, frame.id);
  }

  /**
   * A pattern's recovery: each concrete topic the client had a position in, recovered as a `since` on that
   * topic would be (replayed before the ack, never partially). Topics first published while the client was
   * away are not among them (docs/history.md, "Wildcard subscriptions").
   */
  private async recoverTopics(
    recovery: Recovery,
    connectionId: string,
    positions: { [topic: string]: StreamPosition },
  ): Promise<Pick<SubscribedFrame, 'recovered' | 'positions'>> {
    const out: { [topic: string]: TopicRecovery } = {};
    let all = true;
    for (const [topic, since] of Object.entries(positions)) {
      const recovered = await recovery.recover(connectionId, topic, since);
      const entry: TopicRecovery = {
        epoch: recovered.epoch ?? since.epoch,
        offset: recovered.offset ?? since.offset,
        recovered: recovered.recovered === true,
      };
      if (recovered.reset !== undefined) entry.reset = recovered.reset;
      out[topic] = entry;
      all &&= entry.recovered;
    }
    return { recovered: all, positions: out };
  }

  /** The `join` of a new member, with what presence shows of it (its record's `user`, selected claims). */
  private async announce(connectionId: string, topic: string): Promise<void> {
    const events = this.context.presenceEvents;
    if (!events) return;
    const record = await this.context.store.getConnection(connectionId);
    if (record) await events.join(topic, memberData(record, this.context.limits.presenceClaims));
  }
}
