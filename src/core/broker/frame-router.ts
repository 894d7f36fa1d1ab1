import {
  type ClientFrame,
  errorFrame,
  type FrameId,
  ProtocolError,
  parseClientFrame,
} from '../../protocol/index.ts';
import { policyAllows } from '../auth/index.ts';
import type { WebSocketEvent, WebSocketResult } from '../events.ts';
import type { RateLimiter } from '../limits/index.ts';
import { type Access, accessOf } from './access.ts';
import type { BrokerHooks } from './broker-hooks.ts';
import type { BrokerContext } from './context.ts';
import type { ExpiryTimers } from './expiry-timers.ts';
import type { FrameLimiters } from './frame-limiters.ts';
import type { HistoryReader } from './history-reader.ts';
import type { PresenceReader } from './presence-reader.ts';
import type { Publisher } from './publisher.ts';
import { describe, fail, OK, reply, withId } from './replies.ts';
import type { Subscriptions } from './subscriptions.ts';

/** The parts of the broker a client frame is handed to. */
export interface FrameHandlers {
  subscriptions: Subscriptions;
  history: HistoryReader;
  /** Absent: the store keeps no presence. */
  presence: PresenceReader | undefined;
  publisher: Publisher;
  limiters: FrameLimiters;
  timers: ExpiryTimers;
  /** Server hooks, when there are any (docs/hooks.md). */
  hooks: BrokerHooks | undefined;
}

/**
 * The `$default` route: parses a client frame, resolves what the connection may do, checks the frame
 * against its permissions and rate limits, then hands it to the part that handles it. Every refusal is an
 * error frame with a stable code; only an unexpected failure is logged as an error.
 */
export class FrameRouter {
  constructor(
    private readonly context: BrokerContext,
    private readonly handlers: FrameHandlers,
  ) {}

  async message(event: WebSocketEvent): Promise<WebSocketResult> {
    if (event.isBase64Encoded) {
      return reply(errorFrame('binary_unsupported', 'binary frames are not supported; send JSON text'));
    }
    const { limits, metrics, logger } = this.context;
    const parsed = parseClientFrame(event.body ?? '', { maxMessageBytes: limits.maxMessageBytes });
    if (!parsed.ok) {
      metrics.count('errors');
      return reply(errorFrame(parsed.code, parsed.message, parsed.id));
    }
    const frame = parsed.frame;
    const { connectionId } = event.requestContext;
    try {
      const access = await accessOf(this.context, event);
      if (access === 'unknown') {
        return fail('connection_unknown', 'this connection is no longer known; reconnect', frame.id);
      }
      if (access === 'expired') {
        await this.handlers.timers.endNow(connectionId);
        return OK;
      }
      return await this.dispatch(connectionId, frame, access);
    } catch (error) {
      if (error instanceof ProtocolError) return reply(errorFrame(error.code, error.message, frame.id));
      metrics.count('errors');
      logger.error('frame failed', { connectionId, type: frame.type, error: describe(error) });
      return reply(errorFrame('unavailable', 'the server could not complete the request; retry', frame.id));
    }
  }

  private async dispatch(connectionId: string, frame: ClientFrame, access: Access): Promise<WebSocketResult> {
    const { subscriptions, history, publisher, limiters, presence, hooks } = this.handlers;
    switch (frame.type) {
      case 'ping':
        return reply(withId({ type: 'pong' }, frame.id));
      case 'subscribe':
        // One check for topics and patterns alike (a pattern must be covered whole: topic-permissions.ts).
        if (!policyAllows(access.policy, 'subscribe', frame.topic)) {
          return this.forbidden(`not allowed to subscribe to ${frame.topic}`, frame.id);
        }
        if (frame.presence && !policyAllows(access.policy, 'presence', frame.topic)) {
          return this.forbidden(`not allowed to take part in the presence of ${frame.topic}`, frame.id);
        }
        {
          // onSubscribe: after the token's permissions, before anything is stored (patterns too).
          const refused = await hooks?.subscribe(connectionId, frame.topic, access, frame.id);
          if (refused) return refused;
        }
        return subscriptions.subscribe(connectionId, frame, access);
      case 'presence':
        if (!policyAllows(access.policy, 'presence', frame.topic)) {
          return this.forbidden(`not allowed to read the presence of ${frame.topic}`, frame.id);
        }
        if (!presence) return fail('bad_frame', 'presence: this server keeps no presence', frame.id);
        // Presence reads share the `history` bucket: both are reads a client may repeat at will.
        if (this.overRate(limiters.history, connectionId)) {
          return fail('rate_limited', 'reading presence too fast; slow down', frame.id);
        }
        return presence.answer(frame);
      case 'history':
        if (!policyAllows(access.policy, 'subscribe', frame.topic)) {
          return this.forbidden(`not allowed to read ${frame.topic}`, frame.id);
        }
        if (this.overRate(limiters.history, connectionId)) {
          return fail('rate_limited', 'reading history too fast; slow down', frame.id);
        }
        return history.answer(frame);
      case 'unsubscribe':
        return subscriptions.unsubscribe(connectionId, frame);
      case 'publish':
        if (this.overRate(limiters.publish, connectionId)) {
          return fail('rate_limited', 'publishing too fast; slow down', frame.id);
        }
        if (!policyAllows(access.policy, 'publish', frame.topic)) {
          return this.forbidden(`not allowed to publish to ${frame.topic}`, frame.id);
        }
        if (hooks) {
          // onPublish: after rate and permissions, before history and fan-out; a refusal stores nothing.
          const outcome = await hooks.publish(connectionId, frame.topic, frame.data, access);
          if (!outcome.ok) return fail(outcome.code, outcome.message, frame.id);
          return publisher.publishFrame({ ...frame, data: outcome.value }, access);
        }
        return publisher.publishFrame(frame, access);
      case 'rpc':
        // Calls make the server work as publishes do: they share the connection's publish bucket.
        if (this.overRate(limiters.publish, connectionId)) {
          return fail('rate_limited', 'calling too fast; slow down', frame.id);
        }
        if (!hooks) {
          return fail('unknown_method', `no method ${JSON.stringify(frame.method.slice(0, 64))}`, frame.id);
        }
        return hooks.rpc(connectionId, frame, access);
    }
  }

  private forbidden(message: string, id: FrameId | undefined): WebSocketResult {
    this.context.metrics.count('forbidden');
    return fail('forbidden', message, id);
  }

  /** Takes a token from the connection's bucket; true (counted) when there was none. */
  private overRate(limiter: RateLimiter | undefined, connectionId: string): boolean {
    if (!limiter || limiter.allow(connectionId)) return false;
    this.context.metrics.count('rateLimited');
    return true;
  }
}
