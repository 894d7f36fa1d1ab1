import type { Duplex } from 'node:stream';

/**
 * Coalesces fan-out writes per socket: the first write to a socket in an event-loop turn corks it, and every
 * socket corked that way is uncorked once the turn's I/O callbacks are done (setImmediate). Publishes handled
 * in the same turn then reach each receiver in one syscall instead of one each; a lone publish waits only for
 * the end of its turn. Order is kept: whatever is written to a corked socket, here or by `ws` (replies, pings,
 * close frames), leaves in the order it was written, and `bufferedAmount` counts corked bytes too.
 */
export class CorkedWriter {
  private corked: Duplex[] = [];
  private flushScheduled = false;

  write(socket: Duplex, bytes: Buffer): void {
    // `ws` corks only inside a synchronous send, so a corked socket here is one this writer corked.
    if (socket.writableCorked === 0) {
      socket.cork();
      this.corked.push(socket);
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(this.flush);
      }
    }
    socket.write(bytes);
  }

  private readonly flush = (): void => {
    const sockets = this.corked;
    this.corked = [];
    this.flushScheduled = false;
    for (const socket of sockets) socket.uncork();
  };
}
