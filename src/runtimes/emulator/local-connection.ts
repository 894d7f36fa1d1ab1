import type { Duplex } from 'node:stream';
import { WebSocket } from 'ws';
import type { FrameSizeGuard } from './frame-size-guard.ts';
import type { ConnectionIdentity } from './request-context.ts';

/** Frames go out as text, uncompressed: the same bytes a client of API Gateway receives. */
export const TEXT_FRAME = { binary: false, compress: false } as const;
const BINARY_FRAME = { binary: true, compress: false } as const;

/**
 * `open` until either side starts the close; `closing` once the server ended it (its close frame is out, the
 * client has `graceMs` to answer); `closed` once the socket is gone. A client's own close frame moves the
 * WebSocket to CLOSING before the socket closes: `isOpen` reads both, so that window counts as gone too, as
 * it does on API Gateway.
 */
export type ConnectionState = 'open' | 'closing' | 'closed';

/** The close code and reason `$disconnect` reports. */
export interface CloseReport {
  code: number;
  reason: string;
}

/** Where a socket (and its WebSocket) keeps its LocalConnection, so listeners can be shared by all sockets. */
const kConnection = Symbol('topicsocket.localConnection');

interface ConnectionCarrier {
  [kConnection]?: LocalConnection;
}

/**
 * One emulated API Gateway connection: the socket, what API Gateway knows about it, and the queue that hands
 * its messages to the handler one at a time, in order. Its idle and max-duration deadlines are checked by
 * the emulator's one sweep over all connections, from `connectedAt` and `lastActiveAt`.
 */
export class LocalConnection {
  private state: ConnectionState = 'open';
  /** Epoch milliseconds of the last frame in either direction (drives the idle timeout and GET @connections). */
  lastActiveAt: number;
  /** Set when the server ends the connection, so `$disconnect` reports the server's code, not the echo. */
  private serverClose: CloseReport | undefined;
  /** Watches this client's frame sizes (set by the emulator when the connection opens). */
  frameGuard: FrameSizeGuard | undefined;
  /** Made when a message arrives, dropped once handled: an idle connection holds no queue. */
  private work: Array<() => Promise<void>> | undefined;
  private draining = false;
  private paused = false;
  /** Drops the socket if the client does not answer a server close in time. */
  private dropTimer: NodeJS.Timeout | undefined;
  /** Made only when someone waits (server shutdown): an idle connection holds no promise and resolver. */
  private finishedPromise: Promise<void> | undefined;
  private resolveFinished: (() => void) | undefined;
  private isFinished = false;

  constructor(
    readonly identity: ConnectionIdentity,
    readonly socket: WebSocket,
    /** The TCP socket under `socket`: fan-out writes pre-encoded frames to it directly. */
    readonly transport: Duplex,
    /** Past this many messages waiting for the handler, the socket stops being read until half are done. */
    private readonly maxQueued = 1_000,
  ) {
    this.lastActiveAt = identity.connectedAt;
  }

  /** The connection a socket or WebSocket was attached to (listeners shared by all sockets find theirs here). */
  static of(carrier: object): LocalConnection | undefined {
    return (carrier as ConnectionCarrier)[kConnection];
  }

  /** Makes this connection findable from `carriers` (its WebSocket and TCP socket) with `LocalConnection.of`. */
  attachTo(...carriers: object[]): void {
    for (const carrier of carriers) (carrier as ConnectionCarrier)[kConnection] = this;
  }

  get id(): string {
    return this.identity.connectionId;
  }

  touch(now = Date.now()): void {
    this.lastActiveAt = now;
  }

  /**
   * Whether messages may still be sent to this connection: neither side has started closing it. The one
   * answer to "is it open" for the emulator, the gateway and the management API.
   */
  get isOpen(): boolean {
    return this.state === 'open' && this.socket.readyState === WebSocket.OPEN;
  }

  /** Sends a reply or management-API frame (text). Returns false if the connection is no longer open. */
  sendText(data: string | Buffer): boolean {
    return this.send(data, false);
  }

  /** Sends one frame, text or binary. Returns false if the connection is no longer open. */
  send(data: string | Buffer, binary: boolean): boolean {
    if (!this.isOpen) return false;
    this.socket.send(data, binary ? BINARY_FRAME : TEXT_FRAME);
    this.touch();
    return true;
  }

  /**
   * Queues work for this connection; queued work runs strictly one after the other. A client that sends
   * faster than the handler keeps up is not read from (TCP pushes back) until the queue is half empty, so
   * a flood cannot grow the emulator's memory without bound.
   */
  enqueue(task: () => Promise<void>): void {
    this.work ??= [];
    this.work.push(task);
    if (this.work.length >= this.maxQueued && !this.paused) {
      this.paused = true;
      this.socket.pause();
    }
    if (!this.draining) void this.drain();
  }

  /** Messages waiting for the handler. */
  get queued(): number {
    return this.work?.length ?? 0;
  }

  private async drain(): Promise<void> {
    this.draining = true;
    const work = this.work ?? [];
    for (let task = work.shift(); task; task = work.shift()) {
      await task();
      if (this.paused && work.length <= this.maxQueued / 2) {
        this.paused = false;
        this.socket.resume();
      }
    }
    // An emptied array keeps its grown backing store: let it go, so an idle connection holds no queue.
    this.work = undefined;
    this.draining = false;
  }

  /**
   * Ends the connection from the server side (ConnectionTable.end is the one caller). Clients get `graceMs`
   * to answer the close handshake; after that the socket is dropped (the `close` event follows either way).
   * Returns false when it was already ending.
   */
  end(code: number, reason: string, graceMs: number): boolean {
    if (this.state !== 'open') return false;
    this.state = 'closing';
    this.serverClose = { code, reason };
    this.socket.close(code, reason);
    this.dropTimer = setTimeout(() => this.socket.terminate(), graceMs);
    this.dropTimer.unref();
    return true;
  }

  /**
   * `ws` failed the connection (a protocol error, bad UTF-8, a message over the limit): it sent the client a
   * close frame with `code` and drops the socket without waiting for the answer, so its `close` event says
   * 1006. `$disconnect` reports the code the client was sent.
   */
  failed(code: number): void {
    if (this.state !== 'open') return;
    this.state = 'closing';
    this.serverClose = { code, reason: '' };
  }

  /**
   * The socket closed with `code` and `reason` as ws saw them. Returns what `$disconnect` reports: the
   * server's own code when the server ended the connection (not the client's echo of it).
   */
  closed(code: number, reason: string): CloseReport {
    this.state = 'closed';
    if (this.dropTimer) clearTimeout(this.dropTimer);
    this.dropTimer = undefined;
    return { code: this.serverClose?.code ?? code, reason: this.serverClose?.reason || reason };
  }

  /** Resolves once `$disconnect` has been handled. */
  get finished(): Promise<void> {
    if (this.isFinished) return Promise.resolve();
    this.finishedPromise ??= new Promise<void>((resolve) => {
      this.resolveFinished = resolve;
    });
    return this.finishedPromise;
  }

  markFinished(): void {
    this.isFinished = true;
    this.resolveFinished?.();
  }
}
