import type {
  DisconnectFrame,
  ErrorFrame,
  FrameId,
  JsonValue,
  PresenceFrame,
  PresenceRequestFrame,
  PublishedFrame,
  PublishFrame,
  ResultFrame,
  RpcFrame,
  ServerFrame,
  SubscribedFrame,
  SubscribeFrame,
  UnsubscribeFrame,
} from '../protocol/frames.ts';
import { InputLimits } from '../protocol/limits.ts';
import { isPattern, subscriptionMatches } from '../protocol/pattern.ts';
import { readGatewayError } from '../protocol/server-frames.ts';
import { backoffDelay, jitteredAge } from './backoff.ts';
import { ABNORMAL_CLOSURE, Connection, type ConnectionEnd } from './connection.ts';
import { Emitter } from './emitter.ts';
import { ConnectRefusedError, TopicsocketError } from './errors.ts';
import { createMessageStream } from './message-stream.ts';
import { AGE_JITTER, type ResolvedOptions, resolveOptions } from './options.ts';
import { PatternTopics } from './pattern-topics.ts';
import { Sequencer } from './sequencer.ts';
import { newTopicRecord, type TopicListener, type TopicRecord } from './topic-record.ts';
import type {
  ClientEvents,
  ClientOptions,
  ConnectionState,
  Message,
  MessageListener,
  MessageStream,
  MessageStreamOptions,
  PresenceEvent,
  PresenceOptions,
  PresencePage,
  PublishOptions,
  PublishResult,
  StateChange,
  SubscribedEvent,
  SubscribeOptions,
  Unsubscribe,
} from './types.ts';
import { connectUrl } from './url.ts';

/** A request one frame answers: a publish (`published`), a presence read (`presence`), an rpc (`result`). */
interface PendingReply<K extends 'publish' | 'presence' | 'rpc', T> {
  kind: K;
  /** The topic the request concerned, carried by its errors; none for an rpc. */
  topic: string | undefined;
  resolve: (value: T) => void;
  reject: (error: TopicsocketError) => void;
  timer: ReturnType<typeof setTimeout>;
}

type PendingPublish = PendingReply<'publish', PublishResult>;
type PendingPresence = PendingReply<'presence', PresencePage>;
type PendingRpc = PendingReply<'rpc', JsonValue>;

interface PendingSubscribe {
  kind: 'subscribe';
  record: TopicRecord;
  timer: ReturnType<typeof setTimeout>;
}

interface PendingUnsubscribe {
  kind: 'unsubscribe';
  topic: string;
}

type PendingRequest = PendingPublish | PendingSubscribe | PendingUnsubscribe | PendingPresence | PendingRpc;

interface QueuedRpc {
  method: string;
  params: JsonValue | undefined;
  resolve: (result: JsonValue) => void;
  reject: (error: TopicsocketError) => void;
}

interface QueuedPublish {
  topic: string;
  data: JsonValue;
  idempotencyKey?: string;
  resolve: (result: PublishResult) => void;
  reject: (error: TopicsocketError) => void;
}

const DEFAULT_STREAM_BUFFER = 1024;
/** Out-of-order messages held per topic before the oldest hole is given up. */
const MAX_PENDING_PER_TOPIC = 10_000;
const noop = (): void => {};

/** Creates a client and starts connecting at once. */
export function createClient(options: ClientOptions): TopicsocketClient {
  return new TopicsocketClient(options);
}

/**
 * A topicsocket connection that stays up: it reconnects with jittered backoff, resubscribes every topic,
 * queues publishes while offline, pings to keep API Gateway's idle timer away and to detect dead sockets,
 * and rolls over before the 2-hour cap.
 */
export class TopicsocketClient {
  readonly #options: ResolvedOptions;
  readonly #events = new Emitter<ClientEvents>();
  readonly #topics = new Map<string, TopicRecord>();
  /** The records of #topics that are patterns: a message is offered to each that matches its topic. */
  readonly #patternRecords = new Set<TopicRecord>();
  readonly #pending = new Map<FrameId, PendingRequest>();
  readonly #queue: QueuedPublish[] = [];
  /** RPC calls made while offline, sent once connected (bounded like the publish queue). */
  readonly #rpcQueue: QueuedRpc[] = [];
  /** Serial publish order: topics with a publish awaiting its ack, and the publishes waiting behind it. */
  readonly #publishing = new Map<string, QueuedPublish[]>();
  readonly #topicRetryTimers = new Set<ReturnType<typeof setTimeout>>();
  #current: ConnectionState = 'connecting';
  #connection: Connection | undefined;
  #reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  /** Failed attempts since the last stable connection. */
  #attempts = 0;
  /** Bumped on every connect attempt and on close, so a late `getToken` result is dropped. */
  #attemptSeq = 0;
  #nextId = 1;
  #everConnected = false;
  /** Set while `refused`: the token the server refused; an attempt with the same token is not made. */
  #refused: { token: string | undefined } | undefined;
  /** `reconnect()` was called: the next attempt is made even with the refused token. */
  #forceAttempt = false;
  /** Code and message of the last failed attempt, until a connection opens: repeats are not re-emitted. */
  #lastFailure: string | undefined;
  #serverDisconnect: DisconnectFrame | undefined;
  #closing: Promise<void> | undefined;

  constructor(options: ClientOptions) {
    this.#options = resolveOptions(options);
    // Start on the next microtask, so listeners added right after createClient() see every event.
    queueMicrotask(() => void this.#connect());
    // Browsers say when the network is back: no reason to sit out the rest of a backoff wait then.
    onlineEvents()?.addEventListener('online', this.#onOnline);
  }

  get state(): ConnectionState {
    return this.#current;
  }

  /** Listens to `state`, `error` or `subscribed`; returns a function that removes the listener. */
  on<K extends keyof ClientEvents>(event: K, listener: (payload: ClientEvents[K]) => void): () => void {
    return this.#events.on(event, listener);
  }

  off<K extends keyof ClientEvents>(event: K, listener: (payload: ClientEvents[K]) => void): void {
    this.#events.off(event, listener);
  }

  /**
   * Calls `listener` with every message on `topic` until the returned function is called. The topic is
   * subscribed on the server while it has at least one listener, across reconnects.
   */
  subscribe<T = JsonValue>(
    topic: string,
    listener: MessageListener<T>,
    options: SubscribeOptions = {},
  ): Unsubscribe {
    const entry: TopicListener = { listener: listener as MessageListener<never> };
    if (options.onPresence) entry.onPresence = options.onPresence;
    return this.#attach(topic, entry);
  }

  /**
   * One page of `topic`'s presence members (needs the presence permission; see docs/client.md). Rejects with
   * the server's error (`forbidden`, `rate_limited`, ...), `not_connected` while offline, or `timeout`.
   */
  presence(topic: string, options: PresenceOptions = {}): Promise<PresencePage> {
    return new Promise<PresencePage>((resolve, reject) => {
      if (this.#current === 'closed') {
        reject(new TopicsocketError('closed', 'the client is closed', { topic }));
        return;
      }
      if (!this.#connection?.isOpen) {
        reject(new TopicsocketError('not_connected', 'not connected; presence not read', { topic }));
        return;
      }
      const id = this.#expectReply({ kind: 'presence', topic, resolve, reject }, `presence of "${topic}"`);
      const frame: PresenceRequestFrame = { type: 'presence', topic, id };
      if (options.after !== undefined) frame.after = options.after;
      if (options.limit !== undefined) frame.limit = options.limit;
      this.#connection.send(JSON.stringify(frame));
    });
  }

  /** The messages of `topic` as an async iterator; `break` (or `close()`) ends it. */
  messages<T = JsonValue>(topic: string, options: MessageStreamOptions = {}): MessageStream<T> {
    return createMessageStream<T>(
      topic,
      options.maxBuffered ?? DEFAULT_STREAM_BUFFER,
      (listener, onEnd) => this.#attach(topic, { listener: listener as MessageListener<never>, onEnd }),
      (error) => this.#events.emit('error', error),
    );
  }

  /**
   * Publishes `data` to `topic`; settles with the server's ack. While disconnected, the publish waits in a
   * bounded queue (or is rejected with `not_connected` when `offlinePublish: 'reject'`).
   */
  publish(topic: string, data: JsonValue, options: PublishOptions = {}): Promise<PublishResult> {
    return new Promise<PublishResult>((resolve, reject) => {
      if (this.#current === 'closed') {
        reject(new TopicsocketError('closed', 'the client is closed', { topic }));
        return;
      }
      const item: QueuedPublish = { topic, data, resolve, reject };
      if (options.idempotencyKey !== undefined) item.idempotencyKey = options.idempotencyKey;
      if (this.#connection?.isOpen) {
        this.#sendPublish(item);
      } else if (this.#options.offlinePublish === 'reject') {
        reject(new TopicsocketError('not_connected', 'not connected; publish rejected', { topic }));
      } else if (this.#queue.length >= this.#options.maxQueuedPublishes) {
        reject(
          new TopicsocketError(
            'queue_full',
            `not connected and ${this.#options.maxQueuedPublishes} publishes are already queued`,
            { topic },
          ),
        );
      } else {
        this.#queue.push(item);
      }
    });
  }

  /**
   * Calls the server's RPC method `method` (a server hook, docs/hooks.md) and resolves with its result,
   * answered to this client alone. Rejects with a TopicsocketError: the server's code (`unknown_method`, the
   * method's own refusal such as `forbidden`, `internal_error`, `hook_timeout`), or `timeout`,
   * `connection_lost` (the call may or may not have run), `queue_full`, `not_connected`, `closed`. While
   * disconnected the call waits in a bounded queue, as publishes do (or is rejected with `not_connected`
   * when `offlinePublish: 'reject'`).
   */
  rpc<T = JsonValue>(method: string, params?: JsonValue): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.#current === 'closed') {
        reject(new TopicsocketError('closed', 'the client is closed'));
        return;
      }
      const item: QueuedRpc = { method, params, resolve: resolve as (result: JsonValue) => void, reject };
      if (this.#connection?.isOpen) this.#sendRpc(item);
      else if (this.#options.offlinePublish === 'reject') {
        reject(new TopicsocketError('not_connected', `not connected; rpc ${method} rejected`));
      } else if (this.#rpcQueue.length >= this.#options.maxQueuedPublishes) {
        reject(
          new TopicsocketError(
            'queue_full',
            `not connected and ${this.#options.maxQueuedPublishes} rpc calls are already queued`,
          ),
        );
      } else this.#rpcQueue.push(item);
    });
  }

  #sendRpc(item: QueuedRpc): void {
    const id = this.#nextId++;
    const frame: RpcFrame = { type: 'rpc', method: item.method, id };
    if (item.params !== undefined) frame.params = item.params;
    const text = JSON.stringify(frame);
    if (this.#tooLarge(text)) {
      const limit = this.#options.maxFrameBytes;
      item.reject(new TopicsocketError('frame_too_large', `rpc frame is larger than ${limit} bytes`));
      return;
    }
    this.#expectReply(
      { kind: 'rpc', topic: undefined, resolve: item.resolve, reject: item.reject },
      `rpc ${item.method}`,
      id,
    );
    this.#connection?.send(text);
  }

  /**
   * Registers a request that one frame answers (under `id`, or the next one), failing it with `timeout`
   * after ackTimeoutMs. Returns its id.
   */
  #expectReply(
    request: Omit<PendingPublish, 'timer'> | Omit<PendingPresence, 'timer'> | Omit<PendingRpc, 'timer'>,
    what: string,
    id: number = this.#nextId++,
  ): number {
    const timer = setTimeout(() => {
      this.#pending.delete(id);
      const message = `no answer to ${what} within ${this.#options.ackTimeoutMs} ms`;
      request.reject(
        new TopicsocketError('timeout', message, request.topic === undefined ? {} : { topic: request.topic }),
      );
    }, this.#options.ackTimeoutMs);
    this.#pending.set(id, { ...request, timer });
    return id;
  }

  /** Over the one-frame limit (API Gateway closes the connection on those). Short texts skip the exact count. */
  #tooLarge(text: string): boolean {
    const limit = this.#options.maxFrameBytes;
    return text.length * 3 > limit && new TextEncoder().encode(text).byteLength > limit;
  }

  #onResult(frame: ResultFrame): void {
    const request = this.#take(frame.id);
    if (request?.kind === 'rpc') request.resolve(frame.result);
  }

  /**
   * Connects now: after a refusal (state `refused`), or to cut a backoff wait short. Does nothing while
   * connected, while an attempt is under way, or once closed.
   */
  reconnect(): void {
    if (this.#reconnectTimer === undefined && this.#current !== 'refused') return;
    clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = undefined;
    this.#forceAttempt = true;
    void this.#connect();
  }

  /**
   * Closes the client for good: no reconnect, pending and queued publishes rejected with `closed`, streams
   * ended. Settles once the socket has closed.
   */
  close(): Promise<void> {
    return this.#end({ code: 1000, reason: 'client_close' });
  }

  // ---- subscriptions ----

  #attach(topic: string, entry: TopicListener): Unsubscribe {
    let detached = false;
    const ready = new Promise<void>((resolve, reject) => {
      if (this.#current === 'closed') {
        reject(new TopicsocketError('closed', 'the client is closed', { topic }));
        const onEnd = entry.onEnd;
        if (onEnd) queueMicrotask(() => onEnd());
        detached = true;
        return;
      }
      let record = this.#topics.get(topic);
      if (!record) {
        record = this.#newRecord(topic);
        this.#topics.set(topic, record);
        if (record.pattern) this.#patternRecords.add(record);
      }
      record.listeners.add(entry);
      if (record.status === 'active' && (!entry.onPresence || record.presence)) resolve();
      else entry.ready = { resolve, reject };
      // A first presence listener on an active topic: subscribe again, now as a member.
      if (record.status === 'idle' || (entry.onPresence && !record.presence)) this.#sendSubscribe(record);
    });
    // Ignoring `ready` must not crash Node with an unhandled rejection; awaiting it still sees the error.
    ready.catch(noop);
    const unsubscribe = () => {
      if (detached) return;
      detached = true;
      this.#detach(topic, entry);
    };
    return Object.assign(unsubscribe, { topic, ready });
  }

  #detach(topic: string, entry: TopicListener): void {
    const record = this.#topics.get(topic);
    if (!record?.listeners.delete(entry)) return;
    entry.ready?.reject(
      new TopicsocketError('closed', 'unsubscribed before the server acknowledged', { topic }),
    );
    if (record.listeners.size > 0) return;
    this.#topics.delete(topic);
    this.#patternRecords.delete(record);
    record.sequencer.dispose();
    record.pattern?.dispose();
    if (record.ackId !== undefined) this.#forget(record.ackId);
    if (record.status !== 'idle' && this.#connection?.isOpen) {
      const id = this.#nextId++;
      this.#pending.set(id, { kind: 'unsubscribe', topic });
      const frame: UnsubscribeFrame = { type: 'unsubscribe', topic, id };
      this.#connection.send(JSON.stringify(frame));
    }
  }

  #sendSubscribe(record: TopicRecord): void {
    if (!this.#connection?.isOpen) return;
    const id = this.#nextId++;
    const timer = setTimeout(() => this.#onSubscribeTimeout(record), this.#options.ackTimeoutMs);
    this.#pending.set(id, { kind: 'subscribe', record, timer });
    record.status = 'pending';
    record.ackId = id;
    const frame: SubscribeFrame = { type: 'subscribe', topic: record.topic, id };
    if (record.pattern) {
      // Every concrete topic seen under the pattern, recovered as `since` would recover it.
      const positions = record.pattern.positions();
      if (positions) frame.positions = positions;
      record.pattern.expectAck();
    } else {
      // The last delivered position: the server replays whatever came after it before its ack.
      const position = record.sequencer.position;
      if (position) frame.since = { epoch: position.epoch, offset: position.offset };
      record.sequencer.expectAck();
      record.presence = [...record.listeners].some((entry) => entry.onPresence !== undefined);
      if (record.presence) frame.presence = true;
    }
    this.#connection.send(JSON.stringify(frame));
  }

  #newRecord(topic: string): TopicRecord {
    const sequencer: Sequencer = new Sequencer(
      topic,
      { gapTimeoutMs: this.#options.gapTimeoutMs, maxPending: MAX_PENDING_PER_TOPIC },
      {
        deliver: (message) => this.#dispatch(record, message),
        gap: (report) => this.#events.emit('gap', report),
        repair: () => {
          // Resubscribe on the same connection: the replay after `since` fills the hole if history has it.
          if (this.#topics.get(topic) === record && record.status === 'active') this.#sendSubscribe(record);
        },
      },
    );
    const record = newTopicRecord(topic, sequencer);
    if (isPattern(topic)) {
      record.pattern = new PatternTopics(InputLimits.maxPatternPositions, (concrete) =>
        this.#newSequencer(record, concrete, true),
      );
    }
    return record;
  }

  /** A concrete topic's sequencer under a pattern subscription: delivers to the pattern's listeners. */
  #newSequencer(record: TopicRecord, topic: string, live: boolean): Sequencer {
    return new Sequencer(
      topic,
      { gapTimeoutMs: this.#options.gapTimeoutMs, maxPending: MAX_PENDING_PER_TOPIC, live },
      {
        deliver: (message) => this.#dispatch(record, message),
        gap: (report) => this.#events.emit('gap', report),
        repair: () => {
          // Resubscribe the pattern with every position: the replay of this topic fills the hole.
          if (this.#topics.get(record.topic) === record && record.status === 'active')
            this.#sendSubscribe(record);
        },
      },
    );
  }

  #onSubscribed(request: PendingSubscribe, frame: SubscribedFrame): void {
    const { record } = request;
    if (this.#topics.get(record.topic) !== record) return;
    const resubscribed = record.acknowledged;
    const ack: Parameters<Sequencer['acknowledged']>[0] = {};
    if (frame.epoch !== undefined) ack.epoch = frame.epoch;
    if (frame.offset !== undefined) ack.offset = frame.offset;
    if (frame.recovered !== undefined) ack.recovered = frame.recovered;
    if (frame.reset !== undefined) ack.reset = frame.reset;
    if (record.pattern) record.pattern.acknowledged(frame.positions);
    else record.sequencer.acknowledged(ack);
    record.status = 'active';
    record.ackId = undefined;
    record.acknowledged = true;
    record.failures = 0;
    for (const entry of record.listeners) {
      entry.ready?.resolve();
      entry.ready = undefined;
    }
    const event: SubscribedEvent = { topic: record.topic, resubscribed };
    if (frame.recovered !== undefined) event.recovered = frame.recovered;
    if (frame.reset !== undefined && frame.recovered === false) event.reset = frame.reset;
    this.#events.emit('subscribed', event);
  }

  /** No ack in time: `ready` rejects with `timeout`; the subscription stays wanted (a late ack still counts). */
  #onSubscribeTimeout(record: TopicRecord): void {
    const error = new TopicsocketError(
      'timeout',
      `no answer to subscribe "${record.topic}" within ${this.#options.ackTimeoutMs} ms`,
      { topic: record.topic },
    );
    this.#rejectReady(record, error);
    this.#events.emit('error', error);
  }

  #onSubscribeRefused(request: PendingSubscribe, frame: ErrorFrame): void {
    const { record } = request;
    if (this.#topics.get(record.topic) !== record) return;
    const error = serverError(frame, record.topic);
    record.ackId = undefined;
    if (frame.code === 'connection_unknown') {
      // The server forgot this connection: a new one resubscribes everything.
      record.status = 'idle';
      this.#events.emit('error', error);
      this.#connection?.dispose(4000, 'connection_unknown', false);
      this.#onConnectionEnd({ code: ABNORMAL_CLOSURE, reason: 'connection_unknown', opened: true });
      return;
    }
    this.#rejectReady(record, error);
    this.#events.emit('error', error);
    if (error.retryable) {
      // Throttled or a dependency failed: retry this topic on its own backoff, on the same connection.
      record.status = 'idle';
      const delay = backoffDelay(record.failures++, this.#options.reconnect, this.#options.random);
      const timer = setTimeout(() => {
        this.#topicRetryTimers.delete(timer);
        if (this.#topics.get(record.topic) === record && record.status === 'idle')
          this.#sendSubscribe(record);
      }, delay);
      this.#topicRetryTimers.add(timer);
      return;
    }
    // Refused for good (invalid_topic, forbidden, too_many_subscriptions, ...): drop every listener.
    this.#topics.delete(record.topic);
    this.#patternRecords.delete(record);
    record.sequencer.dispose();
    record.pattern?.dispose();
    for (const entry of record.listeners) entry.onEnd?.(error);
    record.listeners.clear();
  }

  #rejectReady(record: TopicRecord, error: TopicsocketError): void {
    for (const entry of record.listeners) {
      entry.ready?.reject(error);
      entry.ready = undefined;
    }
  }

  /**
   * One message, to the topic's own subscription and to every pattern subscription matching it: the server
   * sends a connection one copy however many of its subscriptions match, and each gets it here.
   */
  #deliver(frame: Extract<ServerFrame, { type: 'message' }>): void {
    const message: Message<never> = { topic: frame.topic, data: frame.data as never };
    if (frame.offset !== undefined) message.offset = frame.offset;
    if (frame.epoch !== undefined) message.epoch = frame.epoch;
    // Each offset once, in offset order (replay and live traffic overlap at a resubscribe).
    this.#topics.get(frame.topic)?.sequencer.accept(message);
    for (const record of this.#patternRecords) {
      if (subscriptionMatches(record.topic, frame.topic))
        record.pattern?.sequencer(frame.topic).accept(message);
    }
  }

  /** `join` / `leave` / `presence_resync` to the topic's presence listeners. */
  #onPresenceEvent(topic: string, event: PresenceEvent): void {
    const record = this.#topics.get(topic);
    if (!record) return;
    for (const entry of [...record.listeners]) {
      if (!entry.onPresence) continue;
      try {
        entry.onPresence(event);
      } catch (cause) {
        this.#events.emit(
          'error',
          new TopicsocketError('listener_failed', `a presence listener of "${topic}" threw`, {
            topic,
            cause,
          }),
        );
      }
    }
  }

  #dispatch(record: TopicRecord, message: Message<never>): void {
    if (this.#topics.get(record.topic) !== record) return;
    const frame = message;
    for (const entry of [...record.listeners]) {
      try {
        entry.listener(message);
      } catch (cause) {
        this.#events.emit(
          'error',
          new TopicsocketError('listener_failed', `a listener of "${frame.topic}" threw`, {
            topic: frame.topic,
            cause,
          }),
        );
      }
    }
  }

  // ---- publishes ----

  /**
   * With `publishOrder: 'serial'`, one publish per topic is on the wire at a time: API Gateway may run a
   * connection's frames in concurrent Lambda invocations, so only waiting for each ack keeps this client's
   * messages to a topic in the order it published them.
   */
  #sendPublish(item: QueuedPublish): void {
    if (this.#options.publishOrder === 'serial') {
      const waiting = this.#publishing.get(item.topic);
      if (waiting) {
        waiting.push(item);
        return;
      }
      this.#publishing.set(item.topic, []);
      const { resolve, reject } = item;
      const settled = () => this.#nextPublish(item.topic);
      this.#transmit({
        ...item,
        resolve: (result) => {
          resolve(result);
          settled();
        },
        reject: (error) => {
          reject(error);
          settled();
        },
      });
      return;
    }
    this.#transmit(item);
  }

  /** The previous publish on `topic` settled: send the next waiting one, or park them all if offline. */
  #nextPublish(topic: string): void {
    const waiting = this.#publishing.get(topic);
    this.#publishing.delete(topic);
    if (!waiting || waiting.length === 0) return;
    if (!this.#connection?.isOpen || this.#current === 'closed') {
      // Accepted already, so they go ahead of the offline queue, in order, whatever its bound.
      this.#queue.unshift(...waiting);
      return;
    }
    const [next, ...rest] = waiting as [QueuedPublish, ...QueuedPublish[]];
    this.#sendPublish(next);
    this.#publishing.get(topic)?.push(...rest);
  }

  #transmit(item: QueuedPublish): void {
    const id = this.#nextId++;
    const frame: PublishFrame = { type: 'publish', topic: item.topic, data: item.data, id };
    if (item.idempotencyKey !== undefined) frame.idempotencyKey = item.idempotencyKey;
    const text = JSON.stringify(frame);
    if (this.#tooLarge(text)) {
      const limit = this.#options.maxFrameBytes;
      item.reject(
        new TopicsocketError('frame_too_large', `publish frame is larger than ${limit} bytes`, {
          topic: item.topic,
        }),
      );
      return;
    }
    this.#expectReply(
      { kind: 'publish', topic: item.topic, resolve: item.resolve, reject: item.reject },
      `publish on "${item.topic}"`,
      id,
    );
    this.#connection?.send(text);
  }

  // ---- frames ----

  #onFrame(frame: ServerFrame): void {
    switch (frame.type) {
      case 'message':
        this.#deliver(frame);
        return;
      case 'result':
        this.#onResult(frame);
        return;
      case 'direct':
        this.#events.emit('direct', frame.data);
        return;
      case 'subscribed': {
        const request = this.#take(frame.id);
        if (request?.kind === 'subscribe') this.#onSubscribed(request, frame);
        return;
      }
      case 'published': {
        const request = this.#take(frame.id);
        if (request?.kind !== 'publish') return;
        request.resolve(publishResult(frame));
        return;
      }
      case 'unsubscribed':
        this.#take(frame.id);
        return;
      case 'presence': {
        const request = this.#take(frame.id);
        if (request?.kind === 'presence') request.resolve(presencePage(frame));
        return;
      }
      case 'join':
        this.#onPresenceEvent(frame.topic, { type: 'join', topic: frame.topic, member: frame.member });
        return;
      case 'leave':
        this.#onPresenceEvent(frame.topic, {
          type: 'leave',
          topic: frame.topic,
          connectionId: frame.connectionId,
        });
        return;
      case 'presence_resync':
        this.#onPresenceEvent(frame.topic, { type: 'resync', topic: frame.topic });
        return;
      case 'pong':
        return;
      case 'error':
        this.#onErrorFrame(frame);
        return;
      case 'disconnect':
        this.#serverDisconnect = frame;
        if (!frame.reconnect) void this.#end({ code: 1000, reason: frame.reason });
        return;
      default:
        // `history`: this SDK sends no history request. A newer server's frame types never get here: the
        // connection drops them (protocol/server-frames.ts).
        return;
    }
  }

  #onErrorFrame(frame: ErrorFrame): void {
    const request = this.#take(frame.id);
    if (request !== undefined && request.kind !== 'subscribe' && request.kind !== 'unsubscribe') {
      request.reject(serverError(frame, request.topic));
    } else if (request?.kind === 'subscribe') this.#onSubscribeRefused(request, frame);
    else
      this.#events.emit(
        'error',
        serverError(frame, request && 'topic' in request ? request.topic : undefined),
      );
  }

  /** Removes and returns the request an ack answers, with its timer stopped. */
  #take(id: FrameId | undefined): PendingRequest | undefined {
    if (id === undefined) return undefined;
    const request = this.#pending.get(id);
    if (!request) return undefined;
    this.#forget(id);
    return request;
  }

  #forget(id: FrameId): void {
    const request = this.#pending.get(id);
    if (request && request.kind !== 'unsubscribe') clearTimeout(request.timer);
    this.#pending.delete(id);
  }

  // ---- connection lifecycle ----

  async #connect(): Promise<void> {
    const seq = ++this.#attemptSeq;
    const forced = this.#forceAttempt;
    this.#forceAttempt = false;
    let token: string | undefined;
    try {
      token = this.#options.getToken ? await this.#options.getToken() : this.#options.token;
    } catch (cause) {
      if (seq !== this.#attemptSeq || this.#current === 'closed') return;
      const error = new TopicsocketError('connect_failed', 'getToken failed', { cause });
      this.#onConnectionEnd({ code: ABNORMAL_CLOSURE, reason: 'connect_failed', opened: false }, error);
      return;
    }
    if (seq !== this.#attemptSeq || this.#current === 'closed') return;
    if (this.#refused && !forced && token === this.#refused.token) {
      // Refused with this token before: wait for a different one (or `reconnect()`), asking again later.
      this.#scheduleTokenCheck();
      return;
    }
    this.#refused = undefined;
    const attemptedToken = token;
    const settings = {
      connectTimeoutMs: this.#options.connectTimeoutMs,
      pingIntervalMs: this.#options.pingIntervalMs,
      pongTimeoutMs: this.#options.pongTimeoutMs,
      maxAgeMs: jitteredAge(this.#options.maxConnectionAgeMs, AGE_JITTER, this.#options.random),
    };
    this.#serverDisconnect = undefined;
    try {
      const connection: Connection = new Connection(
        this.#options.WebSocket,
        connectUrl(this.#options.url, token),
        settings,
        {
          open: () => this.#onOpen(),
          frame: (frame) => this.#onFrame(frame),
          invalidFrame: (data) => this.#events.emit('error', invalidFrameError(data)),
          busy: () => this.#pending.size > 0,
          end: (end) => {
            if (this.#connection !== connection) return;
            if (end.opened) this.#onConnectionEnd(end);
            else this.#onConnectionEnd(end, this.#attemptFailure(end), attemptedToken);
          },
        },
      );
      this.#connection = connection;
    } catch (cause) {
      const error = new TopicsocketError('connect_failed', 'could not open a WebSocket', { cause });
      this.#onConnectionEnd({ code: ABNORMAL_CLOSURE, reason: 'connect_failed', opened: false }, error);
    }
  }

  /** Why a connection that never opened failed: the server's refusal when readable, else `connect_failed`. */
  #attemptFailure(end: ConnectionEnd): TopicsocketError {
    if (end.refusal) return new ConnectRefusedError(end.refusal);
    const what = end.reason === 'connect_timeout' ? 'no handshake answer in time' : end.detail;
    return new TopicsocketError(
      'connect_failed',
      `could not connect to ${displayUrl(this.#options.url)}${what ? `: ${what}` : ''}`,
    );
  }

  /** While `refused`: ask `getToken` again on the backoff schedule; a different token ends the refusal. */
  #scheduleTokenCheck(): void {
    if (!this.#options.getToken) return; // a static token never changes: only `reconnect()` helps
    const delay = backoffDelay(this.#attempts, this.#options.reconnect, this.#options.random);
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = undefined;
      void this.#connect();
    }, delay);
  }

  #onOpen(): void {
    this.#everConnected = true;
    this.#lastFailure = undefined;
    this.#setState('connected');
    // Resubscribe every wanted topic in one go, then send what was queued while offline.
    for (const record of this.#topics.values()) this.#sendSubscribe(record);
    for (const item of this.#queue.splice(0)) this.#sendPublish(item);
    for (const item of this.#rpcQueue.splice(0)) this.#sendRpc(item);
  }

  /**
   * A connection ended, or an attempt failed (`failure`, emitted as an `error` event and carried by the
   * state event). A refusal retrying cannot fix parks the client in `refused`; a 429 waits `Retry-After`.
   */
  #onConnectionEnd(end: ConnectionEnd, failure?: TopicsocketError, attemptedToken?: string): void {
    const connection = this.#connection;
    this.#connection = undefined;
    const disconnect = this.#serverDisconnect;
    this.#serverDisconnect = undefined;
    this.#failInFlight('connection_lost');
    if (this.#current === 'closed') return;
    // A failed attempt is an `error` event when its cause differs from the previous attempt's (a server
    // that stays down is one event, not one per retry); every attempt's `state` event carries its error.
    const cause = failure && `${failure.code}: ${failure.message}`;
    if (cause !== undefined && cause !== this.#lastFailure)
      this.#events.emit('error', failure as TopicsocketError);
    this.#lastFailure = cause;
    const reason = disconnect?.reason ?? (end.reason || undefined);
    if (disconnect && !disconnect.reconnect) {
      void this.#end({ code: end.code, reason: disconnect.reason });
      return;
    }
    if (end.opened && connection && connection.age >= this.#options.reconnect.stableAfterMs)
      this.#attempts = 0;
    if (end.opened && end.reason === 'rollover') this.#attempts = 0;
    const { reconnect } = this.#options;
    if (!reconnect.enabled || this.#attempts >= reconnect.maxAttempts) {
      void this.#end({ code: end.code, reason: reason ?? failure?.code ?? 'connection_lost' });
      return;
    }
    if (failure instanceof ConnectRefusedError && !failure.retryable) {
      // Retrying with the same token or URL cannot help: no new connection until something changes.
      this.#attempts++;
      this.#refused = { token: attemptedToken };
      this.#setState('refused', end.code, failure.code, undefined, failure);
      this.#scheduleTokenCheck();
      return;
    }
    // A rollover is planned and the old socket was healthy: come back at once.
    let delay =
      end.reason === 'rollover' && end.opened
        ? 0
        : backoffDelay(this.#attempts++, reconnect, this.#options.random);
    if (failure instanceof ConnectRefusedError && failure.retryAfterMs !== undefined) {
      delay = Math.max(delay, failure.retryAfterMs);
    }
    const state = this.#everConnected ? 'reconnecting' : 'connecting';
    this.#setState(state, end.code, reason ?? failure?.code, delay, failure);
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = undefined;
      void this.#connect();
    }, delay);
  }

  #onOnline = (): void => {
    if (this.#reconnectTimer === undefined) return;
    clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = undefined;
    void this.#connect();
  };

  /**
   * The connection is gone: unanswered publishes fail (they may or may not have happened) with
   * `connection_lost`, or `closed` when the client itself is closing; topics go idle.
   */
  #failInFlight(code: 'connection_lost' | 'closed'): void {
    const message =
      code === 'closed'
        ? 'the client closed before the server acknowledged'
        : 'the connection dropped before the server acknowledged';
    for (const [id, request] of this.#pending) {
      this.#forget(id);
      if (request.kind !== 'subscribe' && request.kind !== 'unsubscribe') {
        const details = request.topic === undefined ? {} : { topic: request.topic };
        request.reject(new TopicsocketError(code, message, details));
      }
    }
    for (const record of this.#topics.values()) {
      record.status = 'idle';
      record.ackId = undefined;
      // Holes wait for the resubscribe's replay rather than being given up while offline.
      if (record.pattern) record.pattern.expectAck();
      else record.sequencer.expectAck();
    }
  }

  /** Ends the client once, whoever asks first (close(), the server, the reconnect policy). */
  #end(change: { code: number; reason: string }): Promise<void> {
    this.#closing ??= this.#shutdown(change);
    return this.#closing;
  }

  async #shutdown(change: { code: number; reason: string }): Promise<void> {
    if (this.#current === 'closed') return;
    this.#attemptSeq++;
    clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = undefined;
    onlineEvents()?.removeEventListener('online', this.#onOnline);
    for (const timer of this.#topicRetryTimers) clearTimeout(timer);
    this.#topicRetryTimers.clear();
    const connection = this.#connection;
    this.#connection = undefined;
    this.#setState('closed', change.code, change.reason);
    this.#failInFlight('closed');
    for (const item of this.#queue.splice(0)) {
      item.reject(
        new TopicsocketError('closed', 'the client closed before this publish was sent', {
          topic: item.topic,
        }),
      );
    }
    for (const item of this.#rpcQueue.splice(0)) {
      item.reject(new TopicsocketError('closed', `the client closed before rpc ${item.method} was sent`));
    }
    const closed = new TopicsocketError('closed', 'the client is closed');
    for (const record of this.#topics.values()) {
      record.sequencer.dispose();
      record.pattern?.dispose();
      this.#rejectReady(record, closed);
      for (const entry of record.listeners) entry.onEnd?.();
      record.listeners.clear();
    }
    this.#topics.clear();
    this.#patternRecords.clear();
    await connection?.dispose(1000, change.reason, true);
  }

  #setState(
    state: ConnectionState,
    code?: number,
    reason?: string,
    delayMs?: number,
    error?: TopicsocketError,
  ): void {
    const previous = this.#current;
    if (previous === state && state !== 'reconnecting' && state !== 'connecting' && state !== 'refused')
      return;
    this.#current = state;
    const change: StateChange = { state, previous };
    if (code !== undefined) change.code = code;
    if (reason !== undefined) change.reason = reason;
    if (delayMs !== undefined) change.delayMs = delayMs;
    if (error !== undefined) change.error = error;
    this.#events.emit('state', change);
  }
}

/** Where `online` events fire: `window` in browsers (and workers); nothing in Node. */
function onlineEvents(): Pick<EventTarget, 'addEventListener' | 'removeEventListener'> | undefined {
  const global = globalThis as Partial<Pick<EventTarget, 'addEventListener' | 'removeEventListener'>>;
  return typeof global.addEventListener === 'function' && typeof global.removeEventListener === 'function'
    ? (global as Pick<EventTarget, 'addEventListener' | 'removeEventListener'>)
    : undefined;
}

/**
 * An error for a frame that is not a protocol frame. API Gateway itself sends
 * `{"message":"Internal server error","connectionId":...,"requestId":...}` when the integration behind a
 * frame failed or timed out: that one is the server's `internal_error` (retryable).
 */
function invalidFrameError(data: unknown): TopicsocketError {
  const gatewayMessage = readGatewayError(data);
  if (gatewayMessage !== undefined)
    return new TopicsocketError('internal_error', `gateway: ${gatewayMessage}`);
  return new TopicsocketError('bad_server_frame', 'the server sent a frame that is not a protocol frame');
}

function serverError(frame: ErrorFrame, topic: string | undefined): TopicsocketError {
  return new TopicsocketError(frame.code, frame.message, {
    retryable: frame.retryable,
    ...(topic === undefined ? {} : { topic }),
  });
}

/** A `published` ack as the SDK returns it: with its position exactly when the server sent one. */
function presencePage(frame: PresenceFrame): PresencePage {
  const page: PresencePage = { topic: frame.topic, members: frame.members };
  if (frame.next !== undefined) page.next = frame.next;
  return page;
}

function publishResult(frame: PublishedFrame): PublishResult {
  if (frame.offset === undefined || frame.epoch === undefined) return { topic: frame.topic };
  const result: PublishResult = { topic: frame.topic, offset: frame.offset, epoch: frame.epoch };
  if (frame.duplicate) result.duplicate = true;
  return result;
}

/** The URL without its query (where a token may be): safe to put in an error message. */
function displayUrl(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}
