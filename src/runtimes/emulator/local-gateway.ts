import type { DeliveryReport, Gateway } from '../../core/ports/gateway.ts';
import { CloseCodes } from '../../protocol/index.ts';
import type { ConnectionTable } from './connection-table.ts';
import { CorkedWriter } from './corked-writer.ts';
import { encodeTextFrame } from './text-frame.ts';

/**
 * The core's Gateway port for the local runtime: writes straight to the sockets, in process (never through
 * the HTTP management API). The frame becomes a complete WebSocket frame once per send, and every receiver
 * gets those bytes written straight to its socket, coalesced per event-loop turn. This bypasses `ws.send`,
 * which is sound because the server never compresses (perMessageDeflate is off), fragments or sends Blobs,
 * so `ws` never holds queued frames of its own that these bytes could overtake.
 *
 * Built on the emulator's ConnectionTable before the emulator itself, so a Broker using it can be the
 * emulator's handler (`new ApiGatewayEmulator({ handler: broker.handle, gateway })`).
 */
export class LocalGateway implements Gateway {
  private readonly writer = new CorkedWriter();

  constructor(readonly connections: ConnectionTable) {}

  async send(connectionIds: readonly string[], frame: string): Promise<DeliveryReport> {
    const bytes = encodeTextFrame(frame);
    const now = Date.now();
    const gone: string[] = [];
    const failed: DeliveryReport['failed'] = [];
    let delivered = 0;
    const { connections } = this;
    for (const connectionId of connectionIds) {
      const connection = connections.get(connectionId);
      // Not connected here, or closing: API Gateway answers 410 for both. But only for ids this process
      // issued: another process's connection (two servers on one table) is alive there, not gone.
      if (connection === undefined) {
        if (connections.owns(connectionId)) gone.push(connectionId);
        else failed.push({ connectionId, error: 'the connection belongs to another server process' });
        continue;
      }
      if (connections.isSlow(connection)) {
        if (connections.limits.disconnectSlowConsumers) {
          // Its memory is released with the socket; for the broker it is gone (subscriptions removed).
          connections.dropSlowConsumer(connection);
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
      if (connection === undefined) return this.connections.owns(connectionId);
      return !connection.isOpen;
    });
  }

  async whenWritable(connectionId: string): Promise<void> {
    const connection = this.connections.get(connectionId);
    // Half the bound: room for the next message (at most one message limit) without crossing it.
    if (!connection || connection.socket.bufferedAmount <= this.connections.limits.maxBufferedBytes / 2)
      return;
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
    if (connection) this.connections.end(connection, CloseCodes.normal, '');
  }
}
