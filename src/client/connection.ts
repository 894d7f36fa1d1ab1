import type { PingFrame, ServerFrame } from '../protocol/frames.ts';
import { parseServerFrame } from '../protocol/server-frames.ts';
import type { ConnectRefusal } from './errors.ts';
import { watchRefusal } from './handshake-response.ts';
import {
  type CloseEventLike,
  type MessageEventLike,
  OPEN,
  type WebSocketConstructor,
  type WebSocketLike,
} from './websocket.ts';

export interface ConnectionSettings {
  connectTimeoutMs: number;
  pingIntervalMs: number;
  pongTimeoutMs: number;
  /** Already jittered: the connection retires itself (reason `rollover`) after this long. */
  maxAgeMs: number;
}

export interface ConnectionEnd {
  code: number;
  reason: string;
  /** Whether the socket had opened (a failed handshake ends a connection that never opened). */
  opened: boolean;
  /** The server refused the upgrade and the WebSocket implementation let the SDK read how (`ws` only). */
  refusal?: ConnectRefusal;
  /** What the WebSocket's error event said, when it said anything (Node: `connect ECONNREFUSED ...`). */
  detail?: string;
}

export interface ConnectionHandlers {
  open(): void;
  frame(frame: ServerFrame): void;
  invalidFrame(raw: unknown): void;
  /** Whether requests sent on this connection still wait for their acks (a rollover waits for them). */
  busy(): boolean;
  /** Called exactly once, unless the owner ended the connection itself with `dispose()`. */
  end(end: ConnectionEnd): void;
}

/** Close code reported when the connection died without a close frame (RFC 6455 "abnormal closure"). */
export const ABNORMAL_CLOSURE = 1006;
/** Close code the SDK sends when it gives up on a socket it believes dead (application range). */
const DEAD_SOCKET_CLOSE = 4000;
/** How long `dispose()` waits for the closing handshake before dropping the socket. */
const GRACEFUL_CLOSE_MS = 1000;
/**
 * A due rollover waits while acks are outstanding, so a planned reconnect does not fail in-flight publishes
 * with `connection_lost`; it checks again this often, for at most ROLLOVER_GRACE_MS (well inside the margin
 * `maxConnectionAgeMs` leaves before the gateway's cap).
 */
const ROLLOVER_RECHECK_MS = 100;
const ROLLOVER_GRACE_MS = 30_000;

const noop = (): void => {};
/** Monotonic milliseconds: elapsed-time checks must not jump with the wall clock. */
const now = (): number => performance.now();

/**
 * One WebSocket and its timers: handshake timeout, keepalive ping with a pong deadline, and the age limit
 * that triggers a rollover. It never reconnects; the client decides what happens after `end`.
 */
export class Connection {
  readonly #socket: WebSocketLike;
  readonly #settings: ConnectionSettings;
  readonly #handlers: ConnectionHandlers;
  #ended = false;
  #opened = false;
  #refusal: ConnectRefusal | undefined;
  #detail: string | undefined;
  #openedAt = 0;
  #lastInboundAt = 0;
  #pingSentAt = 0;
  #pingCount = 0;
  #connectTimer: ReturnType<typeof setTimeout> | undefined;
  #keepaliveTimer: ReturnType<typeof setTimeout> | undefined;
  #ageTimer: ReturnType<typeof setTimeout> | undefined;

  /** Throws when the WebSocket constructor does (for example on a malformed URL). */
  constructor(
    WebSocketImpl: WebSocketConstructor,
    url: string,
    settings: ConnectionSettings,
    handlers: ConnectionHandlers,
  ) {
    this.#settings = settings;
    this.#handlers = handlers;
    this.#socket = new WebSocketImpl(url);
    this.#socket.onopen = () => this.#onOpen();
    this.#socket.onmessage = (event: MessageEventLike) => this.#onMessage(event.data);
    this.#socket.onclose = (event: CloseEventLike) =>
      this.#closed(event.code || ABNORMAL_CLOSURE, event.reason ?? '');
    // An error is followed by a close event, which gets the error's text (Node only). Before the socket
    // opened, not always: Node 20's global WebSocket fires only the error; the close is then ours.
    this.#socket.onerror = (event: ErrorEventLike) => {
      this.#detail ??= errorDetail(event);
      if (!this.#opened) setTimeout(() => this.#closed(ABNORMAL_CLOSURE, ''), 0);
    };
    // The refused upgrade's status and body (`ws` only); `ws` leaves ending the handshake to the listener.
    watchRefusal(this.#socket, (refusal) => {
      if (this.#ended || this.#opened) return;
      this.#refusal = refusal;
      this.#forceCloseKeepingHandlers();
    });
    this.#connectTimer = setTimeout(() => this.#drop('connect_timeout'), settings.connectTimeoutMs);
  }

  get isOpen(): boolean {
    return !this.#ended && this.#opened && this.#socket.readyState === OPEN;
  }

  /** Milliseconds since the socket opened (0 before it did). */
  get age(): number {
    return this.#opened ? now() - this.#openedAt : 0;
  }

  /** Sends a serialized frame; false when the socket is not open (nothing was sent). */
  send(text: string): boolean {
    if (!this.isOpen) return false;
    try {
      this.#socket.send(text);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Ends the connection on the owner's behalf, without calling `end`. Graceful: closing handshake, settled
   * when the socket has closed (dropped after a short wait). Otherwise the socket is dropped at once.
   */
  dispose(code: number, reason: string, graceful: boolean): Promise<void> {
    if (this.#ended) return Promise.resolve();
    this.#ended = true;
    this.#clearTimers();
    this.#socket.onopen = noop;
    this.#socket.onmessage = noop;
    if (!graceful || this.#socket.readyState !== OPEN) {
      this.#forceClose(code, reason);
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const fallback = setTimeout(() => {
        this.#forceClose(code, reason);
        resolve();
      }, GRACEFUL_CLOSE_MS);
      this.#socket.onclose = () => {
        clearTimeout(fallback);
        resolve();
      };
      this.#socket.close(code, reason);
    });
  }

  #onOpen(): void {
    if (this.#ended) return;
    this.#opened = true;
    this.#openedAt = now();
    this.#lastInboundAt = this.#openedAt;
    clearTimeout(this.#connectTimer);
    this.#scheduleKeepalive(this.#settings.pingIntervalMs);
    this.#ageTimer = setTimeout(() => this.#retire(now()), this.#settings.maxAgeMs);
    this.#handlers.open();
  }

  #onMessage(data: unknown): void {
    if (this.#ended) return;
    this.#lastInboundAt = now();
    const reading = parseServerFrame(data);
    if (reading.kind === 'frame') this.#handlers.frame(reading.frame);
    else if (reading.kind === 'invalid') this.#handlers.invalidFrame(data);
    // `unknown_type`: a newer server's frame, ignored as unknown fields are (docs/protocol.md).
  }

  /**
   * One timer does both jobs. Waiting to ping: ping only after `pingIntervalMs` of inbound silence (any
   * traffic resets API Gateway's idle timer and proves the socket alive). Waiting for the pong: any inbound
   * frame since the ping counts as proof of life; none means the socket is dead.
   */
  #scheduleKeepalive(delayMs: number): void {
    this.#keepaliveTimer = setTimeout(() => this.#onKeepalive(), Math.max(0, delayMs));
  }

  #onKeepalive(): void {
    const at = now();
    if (this.#pingSentAt !== 0) {
      if (this.#lastInboundAt < this.#pingSentAt) {
        const waited = at - this.#pingSentAt;
        if (waited >= this.#settings.pongTimeoutMs) {
          this.#drop('ping_timeout');
          return;
        }
        this.#scheduleKeepalive(this.#settings.pongTimeoutMs - waited);
        return;
      }
      this.#pingSentAt = 0;
    }
    const silentFor = at - this.#lastInboundAt;
    if (silentFor < this.#settings.pingIntervalMs) {
      this.#scheduleKeepalive(this.#settings.pingIntervalMs - silentFor);
      return;
    }
    this.#pingCount++;
    this.#pingSentAt = at;
    const ping: PingFrame = { type: 'ping', id: `ping-${this.#pingCount}` };
    this.send(JSON.stringify(ping));
    // Look again when the next ping could be due or the pong is late, whichever comes first.
    this.#scheduleKeepalive(Math.min(this.#settings.pingIntervalMs, this.#settings.pongTimeoutMs));
  }

  /** Proactive rollover before the gateway's hard cap: a clean close the client follows with a reconnect. */
  #retire(dueAt: number): void {
    if (this.#ended) return;
    if (this.#handlers.busy() && now() - dueAt < ROLLOVER_GRACE_MS) {
      this.#ageTimer = setTimeout(() => this.#retire(dueAt), ROLLOVER_RECHECK_MS);
      return;
    }
    void this.dispose(1000, 'rollover', true);
    this.#handlers.end({ code: 1000, reason: 'rollover', opened: true });
  }

  /** The socket is dead or never opened in time: drop it and report an abnormal end. */
  #drop(reason: string): void {
    if (this.#ended) return;
    const opened = this.#opened;
    void this.dispose(DEAD_SOCKET_CLOSE, reason, false);
    this.#handlers.end({ code: ABNORMAL_CLOSURE, reason, opened });
  }

  /** The socket closed (or failed before opening): ends the connection with what is known of why. */
  #closed(code: number, reason: string): void {
    const end: ConnectionEnd = { code, reason, opened: this.#opened };
    if (this.#refusal) end.refusal = this.#refusal;
    if (this.#detail) end.detail = this.#detail;
    this.#finish(end);
  }

  #finish(end: ConnectionEnd): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#clearTimers();
    this.#handlers.end(end);
  }

  #forceClose(code: number, reason: string): void {
    // Keep a no-op error listener: `ws` emits `error` when a handshake in progress is aborted.
    this.#socket.onerror = noop;
    this.#socket.onclose = noop;
    try {
      if (this.#socket.terminate) this.#socket.terminate();
      else this.#socket.close(code, reason);
    } catch {
      // Already closed or closing: nothing left to release.
    }
  }

  /** Ends a refused handshake so the socket's own close event (which then carries the refusal) follows. */
  #forceCloseKeepingHandlers(): void {
    try {
      if (this.#socket.terminate) this.#socket.terminate();
      else this.#socket.close(DEAD_SOCKET_CLOSE, 'refused');
    } catch {
      // Already closing: its close event follows.
    }
  }

  #clearTimers(): void {
    clearTimeout(this.#connectTimer);
    clearTimeout(this.#keepaliveTimer);
    clearTimeout(this.#ageTimer);
  }
}

interface ErrorEventLike {
  message?: unknown;
  error?: unknown;
}

/** The text of a WebSocket error event: `ws` and Node's global WebSocket say why; browsers say nothing. */
function errorDetail(event: ErrorEventLike): string | undefined {
  const error = event.error as
    | { message?: unknown; code?: unknown; cause?: { message?: unknown } }
    | undefined;
  const candidates = [event.message, error?.message, error?.cause?.message];
  return candidates.find((text): text is string => typeof text === 'string' && text !== '');
}
