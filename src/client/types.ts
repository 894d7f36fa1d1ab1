import type { EpochReset, JsonValue } from '../protocol/frames.ts';
import type { TopicsocketError } from './errors.ts';
import type { GapReport } from './sequencer.ts';
import type { WebSocketConstructor } from './websocket.ts';

export type { EpochReset, JsonValue };

/** A presence member of a topic (docs/client.md, "Presence"). */
export interface PresenceMember {
  connectionId: string;
  /** The `user` data the server's `onConnect` hook attached to that connection. */
  user?: JsonValue;
  /** The token claims the server shows in presence (by default `sub`). */
  claims?: { [key: string]: JsonValue };
}

/** One page of `client.presence(topic)`. */
export interface PresencePage {
  topic: string;
  members: PresenceMember[];
  /** Pass it as `after` for the next page; absent on the last. */
  next?: string;
}

export interface PresenceOptions {
  /** The `next` of the previous page. */
  after?: string;
  /** Most members (the server caps it at 100). */
  limit?: number;
}

/**
 * A change in a topic's presence. `resync`: more joins and leaves happened than the server sends per second
 * (a reconnect storm); read `client.presence(topic)` again, after a random delay of up to a second or so.
 */
export type PresenceEvent =
  | { type: 'join'; topic: string; member: PresenceMember }
  | { type: 'leave'; topic: string; connectionId: string }
  | { type: 'resync'; topic: string };

export type PresenceListener = (event: PresenceEvent) => void;

export interface SubscribeOptions {
  /**
   * Take part in the topic's presence (subscribe with `presence: true`: this connection is listed as a
   * member) and hear its `join`, `leave` and `resync` events. Topics only, not patterns.
   */
  onPresence?: PresenceListener;
}

/**
 * `connecting` before the first connection, `reconnecting` while it is lost, `closed` for good. `refused`:
 * the server refused the connection for a reason retrying cannot fix (401/403: the token; 404: the URL);
 * the client waits until `getToken` returns a different token (it asks again on the backoff schedule) or
 * `client.reconnect()` is called. The state event's `error` says why.
 */
export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'refused' | 'closed';

export interface StateChange {
  state: ConnectionState;
  previous: ConnectionState;
  /** WebSocket close code of the connection that ended, when a connection ended (1006: dropped/dead). */
  code?: number;
  /**
   * Why: a server disconnect reason (`idle_timeout`, `max_duration`, `server_shutdown`, `policy`, ...), the
   * close reason the server sent, or one of the SDK's own: `ping_timeout`, `connect_timeout`, `rollover`,
   * `connect_failed`, `client_close`.
   */
  reason?: string;
  /** For `connecting`/`reconnecting` after a failure: how long the client waits before its next attempt. */
  delayMs?: number;
  /**
   * Why the last attempt to connect failed, when one did: a `ConnectRefusedError` (the server's HTTP status
   * and code, readable with the `ws` package) or `connect_failed` (no answer: network, server down, or a
   * refusal the WebSocket implementation hides, as browsers do). Also emitted as an `error` event.
   */
  error?: TopicsocketError;
}

/** Where a message sits in its topic's stream; present once the server keeps history. */
export interface StreamPosition {
  epoch: string;
  offset: number;
}

export interface Message<T = JsonValue> {
  topic: string;
  data: T;
  /** Position in the topic's stream, when the server keeps history. */
  offset?: number;
  epoch?: string;
}

export type MessageListener<T = JsonValue> = (message: Message<T>) => void;

/** Returned by `subscribe`: call it to remove the listener. */
export interface Unsubscribe {
  (): void;
  readonly topic: string;
  /**
   * Settles with the server's first answer for this topic: resolves on `subscribed`, rejects with a
   * `TopicsocketError` on refusal (`invalid_topic`, `forbidden`, ...), on `timeout`, or `closed`. Waits
   * across reconnects while the client is offline. Never an unhandled rejection if you ignore it.
   */
  readonly ready: Promise<void>;
}

/** `for await` over a topic's messages; `break` or `close()` ends it and removes its listener. */
export interface MessageStream<T = JsonValue> extends AsyncIterableIterator<Message<T>> {
  readonly topic: string;
  readonly ready: Promise<void>;
  /** Ends the stream (same as `break` in a `for await`). */
  return(): Promise<IteratorResult<Message<T>, undefined>>;
}

export interface MessageStreamOptions {
  /** Messages held for a slow reader; beyond this the oldest is dropped and an `error` event says so. */
  maxBuffered?: number;
}

/**
 * A publish's ack. With history on (the default of both runtimes) the server always sends the message's
 * position: `offset` and `epoch` are set. Only a server with history off (`--history-messages 0`,
 * `TOPICSOCKET_HISTORY_MESSAGES=0`) acks without them; check `offset !== undefined` to narrow.
 */
export type PublishResult = PublishedAt | PublishedWithoutHistory;

/** The ack of a server that keeps history: the message's position in its topic's stream. */
export interface PublishedAt {
  topic: string;
  offset: number;
  epoch: string;
  /** The server had this idempotency key already: the message was not stored or delivered again. */
  duplicate?: boolean;
}

/** The ack of a server with history off: there are no positions. */
export interface PublishedWithoutHistory {
  topic: string;
  offset?: undefined;
  epoch?: undefined;
  duplicate?: undefined;
}

export interface SubscribedEvent {
  topic: string;
  /** True when this ack restored a subscription after a reconnect. */
  resubscribed: boolean;
  /**
   * With server history, on a resubscribe: `true` when every message missed since the last one delivered was
   * replayed; `false` when some are lost for good (a `gap` event says which). Absent on a first subscribe.
   */
  recovered?: boolean;
  /**
   * With `recovered: false` after a stream reset (the server's epoch changed, e.g. a memory-store server
   * restarted): `replayed` when the whole new epoch was delivered (nothing of it is lost; the `reset` gap
   * covers only the old epoch's tail), `history_exceeded` when the new epoch's start is gone too.
   */
  reset?: EpochReset;
}

export type { GapReport };

export interface PublishOptions {
  /**
   * Makes a retried publish safe: the server stores and delivers a message once per key (per topic, within its
   * history age). Use a fresh random key per message and reuse it only to retry that message.
   */
  idempotencyKey?: string;
}

export interface ClientEvents {
  state: StateChange;
  error: TopicsocketError;
  /** The server acknowledged a subscription (first time or after a reconnect). */
  subscribed: SubscribedEvent;
  /** Messages of a topic this client will not receive (history exceeded, stream reset, a hole it could not fill). */
  gap: GapReport;
  /** Data a server hook sent to this connection alone (`ctx.send`: docs/hooks.md). */
  direct: JsonValue;
}

export interface ReconnectOptions {
  /** Floor of every wait between attempts. Default 500. */
  minDelayMs?: number;
  /** Ceiling of the wait. Default 20000. */
  maxDelayMs?: number;
  /** Growth of the ceiling per failed attempt. Default 2. */
  factor?: number;
  /** A connection that stayed up this long resets the backoff. Default 10000. */
  stableAfterMs?: number;
  /** Reconnect attempts that may fail in a row; the next failure closes the client. Default Infinity. */
  maxAttempts?: number;
}

export interface ClientOptions {
  /** `wss://...` (or `ws://localhost:...` for the local emulator). */
  url: string;
  /** Static token, sent as `?token=`. */
  token?: string;
  /** Called before every connect and reconnect; its result is sent as `?token=`. Wins over `token`. */
  getToken?: () => string | undefined | Promise<string | undefined>;
  /** WebSocket implementation: `ws` in Node < 22; defaults to the global one. */
  WebSocket?: WebSocketConstructor;
  /** Backoff settings, or `false` to never reconnect. */
  reconnect?: ReconnectOptions | false;
  /** Ping after this long without inbound traffic. Default 240000 (4 min; API Gateway idles out at 10). */
  pingIntervalMs?: number;
  /** A ping without pong for this long marks the connection dead. Default 10000. */
  pongTimeoutMs?: number;
  /** Give up on a handshake after this long. Default 10000. */
  connectTimeoutMs?: number;
  /** Reconnect on purpose before API Gateway's 2-hour cap. Default 6600000 (110 min), minus up to 10% jitter. */
  maxConnectionAgeMs?: number;
  /** Publishes made while disconnected: `queue` (default, bounded) or `reject`. */
  offlinePublish?: 'queue' | 'reject';
  /** Bound of the offline publish queue. Default 100. */
  maxQueuedPublishes?: number;
  /** Wait for a server ack (publish, subscribe) this long. Default 10000. */
  ackTimeoutMs?: number;
  /** Largest frame the client sends (API Gateway closes the connection on larger ones). Default 32768. */
  maxFrameBytes?: number;
  /**
   * How long an out-of-order message waits for the ones before it (concurrent publishers can finish out of
   * order) before the client asks the server to replay the hole, and as long again before it skips and
   * reports it (`gap` event). Default 2000.
   */
  gapTimeoutMs?: number;
  /**
   * `serial` (default): publishes to one topic are sent one at a time, each after the previous one's ack, so
   * subscribers see this client's messages in publish order on AWS too, where a connection's frames may run
   * in concurrent Lambda invocations. `pipelined`: sent at once (more throughput, order not guaranteed on AWS;
   * the local emulator keeps it anyway).
   */
  publishOrder?: 'serial' | 'pipelined';
  /** Random source in [0, 1) for jitter; tests only. Default Math.random. */
  random?: () => number;
}
