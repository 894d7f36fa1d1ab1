import { type Logger, silentLogger } from '../../core/ports/logger.ts';
import { CloseCodes } from '../../protocol/index.ts';
import { type EmulatorLimits, resolveEmulatorLimits } from './limits.ts';
import type { LocalConnection } from './local-connection.ts';

export interface ConnectionTableOptions {
  limits?: Partial<EmulatorLimits>;
  logger?: Logger;
  /**
   * The text frame a slow consumer gets before it is dropped (`disconnectSlowConsumers`), made from the
   * bound it crossed. None by default: API Gateway has no such frame (the dev server sends topicsocket's
   * `disconnect`).
   */
  slowConsumerNotice?: (maxBufferedBytes: number) => string;
}

/**
 * The emulated API's open connections, and the one way the server ends one. It exists before the emulator
 * that fills it, so that whatever the handler needs to reach connections (the LocalGateway a Broker writes
 * through) can be built first and handed to the emulator: nothing is bound late.
 *
 * A connection is in the table from the moment it opens until the server ends it or its socket closes;
 * everything that asks for a connection by id (gateway, management API) sees only those, so a connection
 * that is closing is gone for all of them at once, as on API Gateway.
 */
export class ConnectionTable {
  readonly limits: EmulatorLimits;
  private readonly logger: Logger;
  private readonly slowConsumerNotice: ConnectionTableOptions['slowConsumerNotice'];
  private readonly open = new Map<string, LocalConnection>();
  /** Whether an id was issued by this server (set once listening); until then every id is taken as ours. */
  private ownsId: (connectionId: string) => boolean = () => true;

  constructor(options: ConnectionTableOptions = {}) {
    this.limits = resolveEmulatorLimits(options.limits);
    this.logger = options.logger ?? silentLogger;
    this.slowConsumerNotice = options.slowConsumerNotice;
  }

  /** The open connection with this id, if any (closing ones are not returned: for API Gateway they are gone). */
  get(connectionId: string): LocalConnection | undefined {
    const connection = this.open.get(connectionId);
    return connection?.isOpen ? connection : undefined;
  }

  get size(): number {
    return this.open.size;
  }

  values(): IterableIterator<LocalConnection> {
    return this.open.values();
  }

  add(connection: LocalConnection): void {
    this.open.set(connection.id, connection);
  }

  /** The socket closed (whoever closed it): the connection leaves the table if it was still in it. */
  remove(connection: LocalConnection): void {
    if (this.open.get(connection.id) === connection) this.open.delete(connection.id);
  }

  /** Which server issued the ids: `owns` tells this server's ids from another's sharing its store. */
  issuedBy(owns: (connectionId: string) => boolean): void {
    this.ownsId = owns;
  }

  owns(connectionId: string): boolean {
    return this.ownsId(connectionId);
  }

  /**
   * Ends a connection from the server side: DeleteConnection, an idle or expired connection, an oversize
   * frame, a slow consumer, shutdown. `lastWords` is a text frame sent just before the close frame. The
   * client gets `closeGraceMs` to answer the close handshake; `$disconnect` follows when the socket closes.
   */
  end(connection: LocalConnection, code: number, reason: string, lastWords?: string): void {
    if (!connection.isOpen) {
      this.remove(connection);
      return;
    }
    if (lastWords !== undefined) connection.sendText(lastWords);
    this.remove(connection);
    connection.end(code, reason, this.limits.closeGraceMs);
  }

  /**
   * A client that left more than `maxBufferedBytes` unread: tell it why if there is a notice (queued after
   * what it has not read), then drop it with 1008.
   */
  dropSlowConsumer(connection: LocalConnection): void {
    if (!connection.isOpen) return;
    this.logger.warn('slow consumer disconnected', {
      connectionId: connection.id,
      bufferedBytes: connection.socket.bufferedAmount,
    });
    this.end(
      connection,
      CloseCodes.policyViolation,
      'slow_consumer',
      this.slowConsumerNotice?.(this.limits.maxBufferedBytes),
    );
  }

  /** Whether a client has more unread than the bound allows. */
  isSlow(connection: LocalConnection): boolean {
    return connection.socket.bufferedAmount > this.limits.maxBufferedBytes;
  }
}
