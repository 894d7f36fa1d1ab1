import {
  type ClientFrame,
  type ErrorCode,
  errorFrame,
  type FrameId,
  type JsonValue,
  type MessageFrame,
  ProtocolError,
  parseClientFrame,
  type ServerFrame,
  topicProblem,
  utf8Length,
} from '../protocol/index.ts';
import { type BrokerLimits, defaultBrokerLimits } from './config.ts';
import type { WebSocketEvent, WebSocketResult } from './events.ts';
import { Routes } from './events.ts';
import { type FanoutResult, fanout } from './fanout.ts';
import {
  type Gateway,
  type Logger,
  type Metrics,
  noMetrics,
  type Store,
  silentLogger,
} from './ports/index.ts';

export interface BrokerOptions {
  store: Store;
  gateway: Gateway;
  logger?: Logger;
  metrics?: Metrics;
  limits?: Partial<BrokerLimits>;
  /** Epoch milliseconds; injectable so tests can move time. */
  now?: () => number;
}

export interface PublishResult extends FanoutResult {
  topic: string;
}

const OK: WebSocketResult = { statusCode: 200 };

/**
 * The transport-agnostic heart of topicsocket: handles API Gateway's three WebSocket routes. It knows
 * nothing of AWS, `ws` or HTTP; runtimes hand it events and give it a store and a gateway.
 */
export class Broker {
  readonly limits: BrokerLimits;
  private readonly store: Store;
  private readonly gateway: Gateway;
  private readonly logger: Logger;
  private readonly metrics: Metrics;
  private readonly now: () => number;

  constructor(options: BrokerOptions) {
    this.store = options.store;
    this.gateway = options.gateway;
    this.logger = options.logger ?? silentLogger;
    this.metrics = options.metrics ?? noMetrics;
    this.limits = { ...defaultBrokerLimits, ...options.limits };
    this.now = options.now ?? Date.now;
  }

  /** Entry point for every route; never throws. */
  async handle(event: WebSocketEvent): Promise<WebSocketResult> {
    const { routeKey, connectionId } = event.requestContext;
    try {
      switch (routeKey) {
        case Routes.connect:
          return await this.connect(event);
        case Routes.disconnect:
          await this.disconnect(connectionId);
          return OK;
        default:
          return await this.message(event);
      }
    } catch (error) {
      this.metrics.count('errors');
      this.logger.error('route failed', { routeKey, connectionId, error: describe(error) });
      if (routeKey === Routes.connect) return { statusCode: 500 };
      return reply(errorFrame('internal_error', 'internal error'));
    }
  }

  /** Publishes to a topic on behalf of the server itself (HTTP publish API, tests, demos). */
  async publish(topic: string, data: JsonValue): Promise<PublishResult> {
    const problem = topicProblem(topic);
    if (problem) throw new ProtocolError('invalid_topic', problem);
    const frame = serializeMessage(topic, data);
    if (utf8Length(frame) > this.limits.maxMessageBytes) {
      throw new ProtocolError(
        'payload_too_large',
        `message is larger than ${this.limits.maxMessageBytes} bytes`,
      );
    }
    this.metrics.count('publishes');
    const result = await fanout(
      {
        store: this.store,
        gateway: this.gateway,
        logger: this.logger,
        metrics: this.metrics,
        cleanupConcurrency: this.limits.cleanupConcurrency,
      },
      topic,
      frame,
    );
    return { topic, ...result };
  }

  private async connect(event: WebSocketEvent): Promise<WebSocketResult> {
    const { connectionId, connectedAt, identity } =
      event.requestContext as WebSocketEvent['requestContext'] & {
        identity?: { sourceIp?: string; userAgent?: string };
      };
    const now = this.now();
    await this.store.putConnection({
      connectionId,
      connectedAt: connectedAt ?? now,
      expiresAt: Math.floor(now / 1000) + this.limits.recordTtlSeconds,
      ...(identity?.sourceIp ? { sourceIp: identity.sourceIp } : {}),
      ...(identity?.userAgent ? { userAgent: identity.userAgent } : {}),
    });
    this.metrics.count('connects');
    this.logger.debug('connected', { connectionId });
    return OK;
  }

  private async disconnect(connectionId: string): Promise<void> {
    await this.store.removeConnection(connectionId);
    this.metrics.count('disconnects');
    this.logger.debug('disconnected', { connectionId });
  }

  private async message(event: WebSocketEvent): Promise<WebSocketResult> {
    if (event.isBase64Encoded) {
      return reply(errorFrame('binary_unsupported', 'binary frames are not supported; send JSON text'));
    }
    const parsed = parseClientFrame(event.body ?? '', { maxMessageBytes: this.limits.maxMessageBytes });
    if (!parsed.ok) {
      this.metrics.count('errors');
      return reply(errorFrame(parsed.code, parsed.message, parsed.id));
    }
    const frame = parsed.frame;
    try {
      return await this.dispatch(event.requestContext.connectionId, frame);
    } catch (error) {
      if (error instanceof ProtocolError) return reply(errorFrame(error.code, error.message, frame.id));
      this.metrics.count('errors');
      this.logger.error('frame failed', {
        connectionId: event.requestContext.connectionId,
        type: frame.type,
        error: describe(error),
      });
      return reply(errorFrame('unavailable', 'the server could not complete the request; retry', frame.id));
    }
  }

  private async dispatch(connectionId: string, frame: ClientFrame): Promise<WebSocketResult> {
    switch (frame.type) {
      case 'ping':
        return reply(withId({ type: 'pong' }, frame.id));
      case 'subscribe': {
        const outcome = await this.store.subscribe(connectionId, frame.topic, {
          expiresAt: Math.floor(this.now() / 1000) + this.limits.recordTtlSeconds,
          maxSubscriptions: this.limits.maxSubscriptionsPerConnection,
        });
        if (outcome === 'no_connection') {
          return fail('connection_unknown', 'this connection is no longer known; reconnect', frame.id);
        }
        if (outcome === 'limit_reached') {
          const max = this.limits.maxSubscriptionsPerConnection;
          return fail('too_many_subscriptions', `at most ${max} subscriptions per connection`, frame.id);
        }
        this.metrics.count('subscribes');
        return ack({ type: 'subscribed', topic: frame.topic }, frame.id);
      }
      case 'unsubscribe':
        await this.store.unsubscribe(connectionId, frame.topic);
        this.metrics.count('unsubscribes');
        return ack({ type: 'unsubscribed', topic: frame.topic }, frame.id);
      case 'publish':
        await this.publish(frame.topic, frame.data);
        return ack({ type: 'published', topic: frame.topic }, frame.id);
    }
  }
}

/** Serializes a delivered message once per publish; every receiver gets these exact bytes. */
export function serializeMessage(topic: string, data: JsonValue): string {
  const frame: MessageFrame = { type: 'message', topic, data };
  return JSON.stringify(frame);
}

function reply(frame: ServerFrame): WebSocketResult {
  return { statusCode: 200, body: JSON.stringify(frame) };
}

function fail(code: ErrorCode, message: string, id?: FrameId): WebSocketResult {
  return reply(errorFrame(code, message, id));
}

/** Acks are sent only when the client asked for one by giving an `id`: fire-and-forget frames cost nothing more. */
function ack(frame: ServerFrame, id: FrameId | undefined): WebSocketResult {
  return id === undefined ? OK : reply(withId(frame, id));
}

function withId<F extends ServerFrame>(frame: F, id: FrameId | undefined): F {
  return id === undefined ? frame : { ...frame, id };
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
