import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import type { ConnectionIdentity } from './request-context.ts';

/** Frames go out as text, uncompressed: the same bytes a client of API Gateway receives. */
export const TEXT_FRAME = { binary: false, compress: false } as const;

export type ConnectionState = 'open' | 'closing' | 'closed';

/**
 * One emulated API Gateway connection: the socket, what API Gateway knows about it, its timers and the
 * queue that hands its messages to the handler one at a time, in order.
 */
export class LocalConnection {
  state: ConnectionState = 'open';
  /** Epoch milliseconds of the last frame in either direction (drives the idle timeout and GET @connections). */
  lastActiveAt: number;
  /** Set when the server ends the connection, so `$disconnect` reports the server's code, not the echo. */
  serverClose: { code: number; reason: string } | undefined;
  private readonly work: Array<() => Promise<void>> = [];
  private draining = false;
  private paused = false;
  private readonly timers: NodeJS.Timeout[] = [];
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

  get id(): string {
    return this.identity.connectionId;
  }

  touch(now = Date.now()): void {
    this.lastActiveAt = now;
  }

  /** Sends a reply or management-API frame (text). Returns false if the connection is no longer open. */
  sendText(data: string | Buffer): boolean {
    if (this.state !== 'open') return false;
    this.socket.send(data, TEXT_FRAME);
    this.touch();
    return true;
  }

  /**
   * Queues work for this connection; queued work runs strictly one after the other. A client that sends
   * faster than the handler keeps up is not read from (TCP pushes back) until the queue is half empty, so
   * a flood cannot grow the emulator's memory without bound.
   */
  enqueue(task: () => Promise<void>): void {
    this.work.push(task);
    if (this.work.length >= this.maxQueued && !this.paused) {
      this.paused = true;
      this.socket.pause();
    }
    if (!this.draining) void this.drain();
  }

  /** Messages waiting for the handler. */
  get queued(): number {
    return this.work.length;
  }

  private async drain(): Promise<void> {
    this.draining = true;
    for (let task = this.work.shift(); task; task = this.work.shift()) {
      await task();
      if (this.paused && this.work.length <= this.maxQueued / 2) {
        this.paused = false;
        this.socket.resume();
      }
    }
    this.draining = false;
  }

  /**
   * Ends the connection from the server side. Clients get `graceMs` to answer the close handshake; after
   * that the socket is dropped (the `close` event follows either way).
   */
  close(code: number, reason: string, graceMs: number): void {
    if (this.state !== 'open') return;
    this.state = 'closing';
    this.serverClose = { code, reason };
    this.clearTimers();
    this.socket.close(code, reason);
    const drop = setTimeout(() => this.socket.terminate(), graceMs);
    drop.unref();
    this.timers.push(drop);
  }

  addTimer(timer: NodeJS.Timeout): void {
    timer.unref();
    this.timers.push(timer);
  }

  clearTimers(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.length = 0;
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
