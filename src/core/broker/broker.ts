import type { ErrorCode, JsonValue } from '../../protocol/index.ts';
import { errorFrame } from '../../protocol/index.ts';
import type { BrokerLimits } from '../config.ts';
import type { WebSocketEvent, WebSocketResult } from '../events.ts';
import { Routes } from '../events.ts';
import { Sharding } from '../sharding/broker-sharding.ts';
import type { ShardWorker } from '../sharding/worker.ts';
import { BrokerHooks } from './broker-hooks.ts';
import { Connections } from './connections.ts';
import { type BrokerContext, type BrokerOptions, brokerContext } from './context.ts';
import { ExpiryTimers } from './expiry-timers.ts';
import { FrameLimiters } from './frame-limiters.ts';
import { FrameRouter } from './frame-router.ts';
import { HistoryReader } from './history-reader.ts';
import { PresenceReader } from './presence-reader.ts';
import { Publisher, type PublishOptions, type PublishResult } from './publisher.ts';
import { describe, OK, reply } from './replies.ts';
import { Subscriptions } from './subscriptions.ts';

/**
 * The transport-agnostic heart of topicsocket: handles API Gateway's three WebSocket routes. It knows
 * nothing of AWS, `ws` or HTTP; runtimes hand it events and give it a store and a gateway. The parts it is
 * made of, one concern each, are listed in ./index.ts.
 */
export class Broker {
  readonly limits: BrokerLimits;
  private readonly context: BrokerContext;
  private readonly sharding: Sharding | undefined;
  private readonly timers: ExpiryTimers;
  private readonly connections: Connections;
  private readonly publisher: Publisher;
  private readonly frames: FrameRouter;
  private readonly hooks: BrokerHooks | undefined;

  constructor(options: BrokerOptions) {
    const context = brokerContext(options);
    this.context = context;
    this.limits = context.limits;
    this.sharding = options.sharding
      ? Sharding.create(options.sharding, () => context.fanoutDeps(), context.history, context.now)
      : undefined;
    this.timers = new ExpiryTimers(context);
    const limiters = new FrameLimiters(context.limits, context.now);
    this.publisher = new Publisher(context, this.sharding);
    this.hooks = options.hooks
      ? new BrokerHooks(context, this.publisher, options.hooks, options.hookTimeoutMs)
      : undefined;
    this.connections = new Connections(context, this.timers, limiters, this.hooks);
    this.frames = new FrameRouter(context, {
      hooks: this.hooks,
      subscriptions: new Subscriptions(context),
      history: new HistoryReader(context),
      presence: context.store.presence ? new PresenceReader(context, context.store.presence) : undefined,
      publisher: this.publisher,
      limiters,
      timers: this.timers,
    });
  }

  /** A worker for the shards this broker schedules, wired to the same store, gateway, logs and metrics. */
  shardWorker(): ShardWorker | undefined {
    return this.sharding?.worker();
  }

  /** Stops token-expiry timers. */
  dispose(): void {
    this.timers.dispose();
  }

  /** Entry point for every route; never throws. */
  async handle(event: WebSocketEvent): Promise<WebSocketResult> {
    const { routeKey, connectionId } = event.requestContext;
    try {
      switch (routeKey) {
        case Routes.connect:
          return await this.connections.connect(event);
        case Routes.disconnect:
          await this.connections.disconnect(connectionId);
          return OK;
        default:
          return await this.frames.message(event);
      }
    } catch (error) {
      this.context.metrics.count('errors');
      this.context.logger.error('route failed', { routeKey, connectionId, error: describe(error) });
      // A dependency failed (a store write throttled past the SDK's retries): 503 says "come back", and the
      // SDK reconnects with backoff; the body is the same error frame a refused frame gets.
      if (routeKey === Routes.connect) {
        return {
          statusCode: 503,
          body: JSON.stringify(errorFrame('unavailable', 'the server could not open the connection; retry')),
        };
      }
      return reply(errorFrame('internal_error', 'internal error'));
    }
  }

  /** Publishes to a topic on behalf of the server itself (HTTP publish API, tests, demos). */
  publish(topic: string, data: JsonValue, options: PublishOptions = {}): Promise<PublishResult> {
    return this.publisher.publish(topic, data, options);
  }

  /**
   * Throws the ProtocolError `publish` would throw (topic, nesting, size) without storing or sending
   * anything: `POST /publish` checks a whole batch with it before publishing the first message.
   */
  assertPublishable(topic: string, data: JsonValue): void {
    this.publisher.assertPublishable(topic, data);
  }

  /**
   * The onPublish hook for a `POST /publish` message (`principal`: the caller's API key id or token
   * subject): the data to publish, or the refusal. Without the hook, the data as it is.
   */
  backendPublishHook(
    principal: string,
    topic: string,
    data: JsonValue,
  ): Promise<{ ok: true; value: JsonValue } | { ok: false; code: ErrorCode; message: string }> {
    return this.hooks
      ? this.hooks.backendPublish(principal, topic, data)
      : Promise.resolve({ ok: true, value: data });
  }
}
