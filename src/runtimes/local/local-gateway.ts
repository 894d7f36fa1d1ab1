import { WebSocket } from 'ws';
import type { DeliveryReport, Gateway } from '../../core/index.ts';
import { CorkedWriter } from './corked-writer.ts';
import type { LocalConnection } from './local-connection.ts';
import { encodeTextFrame } from './text-frame.ts';

/**
 * The core's Gateway port for the local runtime: writes straight to the sockets, in process (never through
 * the HTTP management API). The frame becomes a complete WebSocket frame once per send, and every receiver
 * gets those bytes written straight to its socket, coalesced per event-loop turn. This bypasses `ws.send`,
 * which is sound because the server never compresses (perMessageDeflate is off), fragments or sends Blobs,
 * so `ws` never holds queued frames of its own that these bytes could overtake.
 */
export class LocalGateway implements Gateway {
  private readonly writer = new CorkedWriter();

  constructor(
    private readonly connections: ReadonlyMap<string, LocalConnection>,
    private readonly maxBufferedBytes: number,
    private readonly deleteConnection: (connection: LocalConnection) => void,
    /** Set when slow consumers are disconnected rather than only failed (EmulatorLimits.disconnectSlowConsumers). */
    private readonly dropSlowConsumer?: (connection: LocalConnection) => void,
    /** Whether this process issued an id; unset: every id is taken as its own. */
    private readonly owns: (connectionId: string) => boolean = () => true,
  ) {}

  async send(connectionIds: readonly string[], frame: string): Promise<DeliveryReport> {
    const bytes = encodeTextFrame(frame);
    const now = Date.now();
    const gone: string[] = [];
    const failed: DeliveryReport['failed'] = [];
    let delivered = 0;
    for (const connectionId of connectionIds) {
      const connection = this.connections.get(connectionId);
      // Not connected here, or closing: API Gateway answers 410 for both. But only for ids this process
      // issued: another process's connection (two servers on one table) is alive there, not gone.
      if (connection === undefined || connection.socket.readyState !== WebSocket.OPEN) {
        if (connection === undefined && !this.owns(connectionId)) {
          failed.push({ connectionId, error: 'the connection belongs to another server process' });
        } else gone.push(connectionId);
        continue;
      }
      const socket = connection.socket;
      if (socket.bufferedAmount > this.maxBufferedBytes) {
        if (this.dropSlowConsumer) {
          // Its memory is released with the socket; for the broker it is gone (subscriptions removed).
          this.dropSlowConsumer(connection);
          gone.push(connectionId);
          continue;
        }
        failed.push({
          connectionId,
          error: 'LimitExceededException: the client is not reading its messages',
        });
        continue;
      }
      try {
        this.writer.write(connection.transport, bytes);
        connection.lastActiveAt = now;
        delivered++;
      } catch (error) {
        failed.push({ connectionId, error: error instanceof Error ? error.message : String(error) });
      }
    }
    return { delivered, gone, failed };
  }

  /** No such socket (or it is closing), as `send` decides 410; another process's ids are not gone. */
  async findGone(connectionIds: readonly string[]): Promise<string[]> {
    return connectionIds.filter((connectionId) => {
      const connection = this.connections.get(connectionId);
      if (connection === undefined) return this.owns(connectionId);
      return connection.socket.readyState !== WebSocket.OPEN;
    });
  }

  async whenWritable(connectionId: string): Promise<void> {
    const connection = this.connections.get(connectionId);
    // Half the bound: room for the next message (at most one message limit) without crossing it.
    if (!connection || connection.socket.bufferedAmount <= this.maxBufferedBytes / 2) return;
    const transport = connection.transport;
    if (transport.destroyed) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        transport.off('drain', done);
        transport.off('close', done);
        resolve();
      };
      transport.on('drain', done);
      transport.on('close', done);
    });
  }

  async close(connectionId: string): Promise<void> {
    const connection = this.connections.get(connectionId);
    if (connection) this.deleteConnection(connection);
  }
}
