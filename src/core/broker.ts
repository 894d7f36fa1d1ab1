import {
  ApiGatewayLimits,
  type ClientFrame,
  type ErrorCode,
  errorFrame,
  exceedsJsonDepth,
  type FrameId,
  InputLimits,
  type JsonValue,
  LARGEST_POSITION,
  messageFrameJson,
  ProtocolError,
  parseClientFrame,
  type ServerFrame,
  type StreamPosition,
  type SubscribedFrame,
  serializeHistory,
  serializeMessage,
  topicProblem,
  utf8Length,
} from '../protocol/index.ts';
import {
  type AuthOptions,
  claimsFromAuthorizer,
  essentialClaims,
  guardConnect,
  OPEN_POLICY,
  policyAllows,
  principalOf,
  resolvePolicy,
  type TopicPolicy,
} from './auth/index.ts';
import { type BrokerLimits, defaultBrokerLimits } from './config.ts';
import type { WebSocketEvent, WebSocketResult } from './events.ts';
import { Routes } from './events.ts';
import { type FanoutResult, fanout } from './fanout.ts';
import { RateLimiter } from './limits/index.ts';
import {
  type Gateway,
  type History,
  hasHistory,
  type Logger,
  type Metrics,
  noMetrics,
  type Store,
  silentLogger,
} from './ports/index.ts';
import { type BrokerSharding, Sharding } from './sharding/broker-sharding.ts';
import type { ShardWorker } from './sharding/worker.ts';
import { endTokenExpired } from './token-expiry.ts';

export interface BrokerOptions {
  store: Store;
  gateway: Gateway;
  logger?: Logger;
  metrics?: Metrics;
  limits?: Partial<BrokerLimits>;
  /** Authentication at `$connect` and per-topic permissions (docs/security.md). Absent: open. */
  auth?: AuthOptions;
  /** Epoch milliseconds; injectable so tests can move time. */
  now?: () => number;
  /** Where message history lives. Default: the store, when it keeps history (both bundled stores do). */
  history?: History | false;
  /**
   * Sharded fan-out of big topics through a queue and workers (docs/architecture.md). Absent, or with a
   * store that cannot read subscriber ranges: every publish fans out inline.
   */
  sharding?: BrokerSharding;
  /** Epoch ms after which a fan-out reads no more subscriber pages (the Lambda runtime's invocation budget). */
  fanoutReadDeadline?: () => number | undefined;
}

export interface PublishResult extends FanoutResult {
  topic: string;
  /** The message's position in the topic's stream, when history is on. */
  offset?: number;
  epoch?: string;
  /** The idempotency key was seen before: nothing was stored or delivered again. */
  duplicate?: true;
  /** The fan-out was handed to workers in this many shards: the counts above are then all 0. */
  scheduled?: number;
}

export interface PublishOptions {
  /** A retried publish with the same key (per topic, within the history age) is stored and delivered once. */
  idempotencyKey?: string;
}

const OK: WebSocketResult = { statusCode: 200 };

/** What a connection may do, as its verified claims say. `expiresAt` (epoch seconds) is its token's expiry. */
interface Access {
  policy: TopicPolicy;
  expiresAt?: number;
  /** Whose idempotency keys these are (core/auth/principal.ts); `anonymous` when auth is off. */
  principal: () => string;
}

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
  private readonly auth: AuthOptions | undefined;
  private readonly publishLimiter: RateLimiter | undefined;
  private readonly historyLimiter: RateLimiter | undefined;
  private readonly history: History | undefined;
  private readonly sharding: Sharding | undefined;
  private readonly fanoutReadDeadline: (() => number | undefined) | undefined;
  /** Token-expiry timers (only with `auth.expiryTimers`, in long-lived processes). */
  private readonly expiryTimers = new Map<string, NodeJS.Timeout>();

  constructor(options: BrokerOptions) {
    this.store = options.store;
    this.gateway = options.gateway;
    this.logger = options.logger ?? silentLogger;
    this.metrics = options.metrics ?? noMetrics;
    this.limits = { ...defaultBrokerLimits, ...options.limits };
    this.now = options.now ?? Date.now;
    this.auth = options.auth;
    const rate = this.limits.publishRate;
    this.publishLimiter = rate ? new RateLimiter(rate, { now: this.now }) : undefined;
    const historyRate = this.limits.historyRate;
    this.historyLimiter = historyRate ? new RateLimiter(historyRate, { now: this.now }) : undefined;
    const history = options.history ?? (hasHistory(this.store) ? this.store : undefined);
    this.history = history && this.limits.history ? history : undefined;
    this.sharding = options.sharding
      ? Sharding.create(options.sharding, this.fanoutDeps(), this.history, this.limits.history, this.now)
      : undefined;
    this.fanoutReadDeadline = options.fanoutReadDeadline;
  }

  /** A worker for the shards this broker schedules, wired to the same store, gateway, logs and metrics. */
  shardWorker(): ShardWorker | undefined {
    return this.sharding?.worker();
  }

  /** Stops token-expiry timers. */
  dispose(): void {
    for (const timer of this.expiryTimers.values()) clearTimeout(timer);
    this.expiryTimers.clear();
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
  async publish(topic: string, data: JsonValue, options: PublishOptions = {}): Promise<PublishResult> {
    // `data` is serialized once per publish; the frame around it is spliced, with and without the position.
    const { dataJson, unplaced } = this.prepare(topic, data);
    let frame = unplaced;
    let position: StreamPosition | undefined;
    const retention = this.limits.history;
    if (this.history && retention) {
      // Appended BEFORE the subscribers are read: a subscription this fan-out misses was stored after the
      // append, so its own history read (after storing it) finds this message. See docs/history.md.
      const appended = await this.history.append(topic, data, {
        retention,
        json: dataJson,
        ...(options.idempotencyKey === undefined ? {} : { idempotencyKey: options.idempotencyKey }),
      });
      position = { epoch: appended.epoch, offset: appended.offset };
      frame = messageFrameJson(topic, dataJson, position);
      if (appended.duplicate) {
        // Stored once. Its fan-out runs again, with the first attempt's offset: if that attempt failed after
        // storing, live subscribers still get it, and clients drop it by offset if they had it already.
        this.metrics.count('duplicatePublishes');
        const again = await this.deliver(topic, frame, position);
        return { topic, ...again, ...position, duplicate: true };
      }
    }
    this.metrics.count('publishes');
    const result = await this.deliver(topic, frame, position);
    return { topic, ...result, ...position };
  }

  /**
   * Throws the ProtocolError `publish` would throw (topic, nesting, size) without storing or sending
   * anything: `POST /publish` checks a whole batch with it before publishing the first message.
   */
  assertPublishable(topic: string, data: JsonValue): void {
    this.prepare(topic, data);
  }

  private prepare(topic: string, data: JsonValue): { dataJson: string; unplaced: string } {
    const problem = topicProblem(topic);
    if (problem) throw new ProtocolError('invalid_topic', problem);
    // The frame around `data` is one level: `data` itself may nest one level less than a frame.
    if (exceedsJsonDepth(data, InputLimits.maxJsonDepth - 1)) {
      throw new ProtocolError('bad_frame', `data nests deeper than ${InputLimits.maxJsonDepth - 1} levels`);
    }
    const dataJson = JSON.stringify(data);
    // Sized with room for the position fields, so a message accepted here is never too large once placed.
    const unplaced = messageFrameJson(topic, dataJson, this.history ? LARGEST_POSITION : undefined);
    if (utf8Length(unplaced) > this.limits.maxMessageBytes) {
      throw new ProtocolError(
        'payload_too_large',
        `message is larger than ${this.limits.maxMessageBytes} bytes`,
      );
    }
    return { dataJson, unplaced };
  }

  /** Inline, or through the shard queue for a big topic when sharding is on. */
  private deliver(
    topic: string,
    frame: string,
    position: StreamPosition | undefined,
  ): Promise<FanoutResult & { scheduled?: number }> {
    return this.sharding
      ? this.sharding.publish(topic, frame, position)
      : fanout(this.fanoutDeps(), topic, frame);
  }

  private fanoutDeps(): Parameters<typeof fanout>[0] {
    const readDeadline = this.fanoutReadDeadline?.();
    return {
      store: this.store,
      gateway: this.gateway,
      logger: this.logger,
      metrics: this.metrics,
      cleanupConcurrency: this.limits.cleanupConcurrency,
      ...(readDeadline === undefined ? {} : { readDeadline }),
    };
  }

  /**
   * After the subscription is stored: the stream's position, and with `since` the replay of every retained
   * message after it, sent before the ack. Never a partial replay: if history no longer reaches back, nothing
   * is replayed and the answer is `recovered: false`. A `since` in another epoch (the stream was reset) gets
   * the whole current epoch instead, when history still holds its start: every message of a new epoch is
   * newer than anything the client saw in the old one (docs/history.md, "Across a reset").
   */
  private async recover(
    connectionId: string,
    topic: string,
    since: StreamPosition | undefined,
    history: History,
  ): Promise<Pick<SubscribedFrame, 'recovered' | 'epoch' | 'offset' | 'reset'>> {
    const current = await history.position(topic);
    if (!since) return { epoch: current.epoch, offset: current.offset };
    if (since.epoch !== current.epoch) {
      const replay = await this.replay(connectionId, topic, history, current, 0);
      const reset = replay.outcome === 'replayed' ? 'replayed' : 'history_exceeded';
      this.metrics.count(reset === 'replayed' ? 'resetsReplayed' : 'recoveriesFailed');
      return { recovered: false, reset, epoch: replay.epoch, offset: replay.top };
    }
    if (since.offset > current.offset) {
      this.metrics.count('recoveriesFailed');
      return { recovered: false, epoch: current.epoch, offset: current.offset };
    }
    if (since.offset === current.offset) {
      // Nothing missed. Later appends are fanned out to this subscription, stored before the position read.
      this.metrics.count('recoveries');
      return { recovered: true, epoch: current.epoch, offset: current.offset };
    }
    const replay = await this.replay(connectionId, topic, history, current, since.offset);
    if (replay.outcome !== 'replayed') {
      if (replay.outcome === 'exceeded') this.metrics.count('recoveriesFailed');
      return { recovered: false, epoch: replay.epoch, offset: replay.top };
    }
    this.metrics.count('recoveries');
    return { recovered: true, epoch: replay.epoch, offset: replay.top };
  }

  /**
   * Sends every retained message of `current.epoch` after `after` to one connection, in offset order, or
   * nothing when history no longer holds `after + 1` (`exceeded`). `undeliverable`: the connection is gone.
   */
  private async replay(
    connectionId: string,
    topic: string,
    history: History,
    current: StreamPosition,
    after: number,
  ): Promise<{ outcome: 'replayed' | 'exceeded' | 'undeliverable'; epoch: string; top: number }> {
    const retention = this.limits.history as Exclude<BrokerLimits['history'], false>;
    const { epoch } = current;
    let top = current.offset;
    let first = true;
    let replayed = 0;
    while (after < top || first) {
      const page = await history.read(topic, after, { retention, limit: this.limits.historyPageSize });
      if (first) {
        first = false;
        if (page.epoch !== epoch || after + 1 < page.oldest) {
          return { outcome: 'exceeded', epoch: page.epoch, top: Math.max(top, page.top) };
        }
      }
      top = Math.max(top, page.top);
      for (const message of page.messages) {
        const frame = serializeMessage(topic, message.data, { epoch, offset: message.offset });
        // At the reader's pace: a replay larger than the unread-output bound must not drop a fast reader.
        await this.gateway.whenWritable?.(connectionId);
        const report = await this.gateway.send([connectionId], frame);
        if (report.delivered === 0) return { outcome: 'undeliverable', epoch, top };
        after = message.offset;
        replayed++;
      }
      if (page.messages.length < this.limits.historyPageSize) break;
    }
    if (replayed) this.metrics.count('replayedMessages', replayed);
    return { outcome: 'replayed', epoch, top: Math.max(top, after) };
  }

  /**
   * The newest retained messages of a topic, as one frame no larger than the message limit with everything
   * in it (the `id` too). Each message is serialized once and the answer assembled newest first until the
   * next one would not fit: linear in the page, however large its messages. The store reads newest first
   * and stops at about one answer's worth of bytes: one request on 100 KB messages costs 52 RCU on DynamoDB
   * (measured on DynamoDB Local), not the 981 that reading a page of 40 of them did.
   */
  private async recent(
    topic: string,
    limit: number | undefined,
    id: FrameId | undefined,
    history: History,
  ): Promise<string> {
    const retention = this.limits.history as Exclude<BrokerLimits['history'], false>;
    const wanted = Math.min(limit ?? this.limits.historyPageSize, this.limits.historyPageSize);
    const budget = this.limits.maxMessageBytes;
    const page = history.latest
      ? await history.latest(topic, { retention, limit: wanted, maxBytes: budget })
      : await history.read(topic, Math.max(0, (await history.position(topic)).offset - wanted), {
          retention,
          limit: wanted,
        });
    return serializeHistory({ topic, epoch: page.epoch, offset: page.top, id }, page.messages, budget);
  }

  private async connect(event: WebSocketEvent): Promise<WebSocketResult> {
    const { connectionId, connectedAt, identity } =
      event.requestContext as WebSocketEvent['requestContext'] & {
        identity?: { sourceIp?: string; userAgent?: string };
      };
    const decision = await guardConnect(event, this.auth);
    if (!decision.allow) {
      this.metrics.count('connectsRefused');
      this.logger.info('connection refused', { connectionId, reason: decision.reason });
      const code = decision.statusCode === 503 ? 'unavailable' : 'unauthorized';
      return { statusCode: decision.statusCode, body: JSON.stringify(errorFrame(code, decision.message)) };
    }
    const now = this.now();
    await this.store.putConnection({
      connectionId,
      connectedAt: connectedAt ?? now,
      expiresAt: Math.floor(now / 1000) + this.limits.recordTtlSeconds,
      ...(identity?.sourceIp ? { sourceIp: identity.sourceIp } : {}),
      ...(identity?.userAgent ? { userAgent: identity.userAgent } : {}),
      ...(decision.claims ? { claims: decision.claims } : {}),
    });
    if (decision.expiresAt !== undefined && this.auth?.expiryTimers) {
      this.armExpiry(connectionId, decision.expiresAt);
    }
    this.metrics.count('connects');
    this.logger.debug('connected', { connectionId });
    return Object.keys(decision.headers).length > 0 ? { statusCode: 200, headers: decision.headers } : OK;
  }

  /** Closes the connection when its token expires: an in-band `disconnect` first, so the client knows why. */
  private armExpiry(connectionId: string, expiresAt: number): void {
    const delay = Math.max(0, expiresAt * 1000 - this.now());
    // Beyond API Gateway's 2-hour cap the connection is gone anyway (and setTimeout overflows past 24 days).
    if (delay > ApiGatewayLimits.maxConnectionDurationMs) return;
    const timer = setTimeout(() => {
      this.expiryTimers.delete(connectionId);
      void this.endExpired(connectionId).catch((error: unknown) => {
        this.logger.warn('closing an expired connection failed', { connectionId, error: describe(error) });
      });
    }, delay);
    timer.unref();
    this.expiryTimers.set(connectionId, timer);
  }

  private async endExpired(connectionId: string): Promise<void> {
    await endTokenExpired(this.fanoutDeps(), [connectionId]);
  }

  /** The connection's permissions, from the Lambda authorizer's context or else its stored claims. */
  private async access(event: WebSocketEvent): Promise<Access | 'unknown' | 'expired'> {
    if (!this.auth || this.auth.mode === 'open') return { policy: OPEN_POLICY, principal: anonymous };
    const fromAuthorizer =
      this.auth.trustAuthorizerContext === false ? undefined : claimsFromAuthorizer(event.requestContext);
    const claims =
      fromAuthorizer ?? (await this.store.getConnection(event.requestContext.connectionId))?.claims;
    if (!claims) return 'unknown';
    const exp = claims.exp;
    if (typeof exp !== 'number' || exp * 1000 <= this.now()) return 'expired';
    const permissions = this.auth.permissions;
    return {
      policy: resolvePolicy(claims, permissions),
      expiresAt: exp,
      principal: () => principalOf(essentialClaims(claims, permissions)),
    };
  }

  private async disconnect(connectionId: string): Promise<void> {
    const timer = this.expiryTimers.get(connectionId);
    if (timer) clearTimeout(timer);
    this.expiryTimers.delete(connectionId);
    this.publishLimiter?.forget(connectionId);
    this.historyLimiter?.forget(connectionId);
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
      const access = await this.access(event);
      if (access === 'unknown') {
        return fail('connection_unknown', 'this connection is no longer known; reconnect', frame.id);
      }
      if (access === 'expired') {
        await this.endExpired(event.requestContext.connectionId);
        return OK;
      }
      return await this.dispatch(event.requestContext.connectionId, frame, access);
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

  private async dispatch(connectionId: string, frame: ClientFrame, access: Access): Promise<WebSocketResult> {
    switch (frame.type) {
      case 'ping':
        return reply(withId({ type: 'pong' }, frame.id));
      case 'subscribe': {
        if (!policyAllows(access.policy, 'subscribe', frame.topic)) {
          this.metrics.count('forbidden');
          return fail('forbidden', `not allowed to subscribe to ${frame.topic}`, frame.id);
        }
        const ttl = Math.floor(this.now() / 1000) + this.limits.recordTtlSeconds;
        const outcome = await this.store.subscribe(connectionId, frame.topic, {
          expiresAt: ttl,
          // The fan-out ends the connection once its token expires (core/token-expiry.ts).
          ...(access.expiresAt === undefined ? {} : { tokenExpiresAt: access.expiresAt }),
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
        const subscribed: SubscribedFrame = { type: 'subscribed', topic: frame.topic };
        if (this.history) {
          Object.assign(subscribed, await this.recover(connectionId, frame.topic, frame.since, this.history));
        }
        return ack(subscribed, frame.id);
      }
      case 'history': {
        if (!policyAllows(access.policy, 'subscribe', frame.topic)) {
          this.metrics.count('forbidden');
          return fail('forbidden', `not allowed to read ${frame.topic}`, frame.id);
        }
        if (this.historyLimiter && !this.historyLimiter.allow(connectionId)) {
          this.metrics.count('rateLimited');
          return fail('rate_limited', 'reading history too fast; slow down', frame.id);
        }
        if (!this.history) {
          return reply(
            withId({ type: 'history', topic: frame.topic, epoch: '', offset: 0, messages: [] }, frame.id),
          );
        }
        return { statusCode: 200, body: await this.recent(frame.topic, frame.limit, frame.id, this.history) };
      }
      case 'unsubscribe':
        await this.store.unsubscribe(connectionId, frame.topic);
        this.metrics.count('unsubscribes');
        return ack({ type: 'unsubscribed', topic: frame.topic }, frame.id);
      case 'publish':
        if (this.publishLimiter && !this.publishLimiter.allow(connectionId)) {
          this.metrics.count('rateLimited');
          return fail('rate_limited', 'publishing too fast; slow down', frame.id);
        }
        if (!policyAllows(access.policy, 'publish', frame.topic)) {
          this.metrics.count('forbidden');
          return fail('forbidden', `not allowed to publish to ${frame.topic}`, frame.id);
        }
        {
          const result = await this.publish(
            frame.topic,
            frame.data,
            // Scoped to the caller: another user's publish with the same key is not a duplicate of this one.
            frame.idempotencyKey === undefined
              ? {}
              : { idempotencyKey: `ws\u0000${access.principal()}\u0000${frame.idempotencyKey}` },
          );
          const published: ServerFrame = { type: 'published', topic: frame.topic };
          if (result.offset !== undefined) published.offset = result.offset;
          if (result.epoch !== undefined) published.epoch = result.epoch;
          if (result.duplicate) published.duplicate = true;
          if (result.scheduled !== undefined) published.scheduled = true;
          // The ack never claims a delivery that did not happen (docs/protocol.md).
          if (result.failed + result.abandoned > 0 || result.truncated) {
            published.undelivered = Math.max(1, result.failed + result.abandoned);
          }
          return ack(published, frame.id);
        }
    }
  }
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

const anonymous = () => 'anonymous';

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
