import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import type { Duplex } from 'node:stream';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import { ConnectionCounter } from '../../core/limits/index.ts';
import { type Logger, silentLogger } from '../../core/ports/logger.ts';
import { CloseCodes, errorFrame } from '../../protocol/index.ts';
import { ConnectionTable } from './connection-table.ts';
import { FaultInjector, type FaultSettings, handleFaultsRequest } from './faults.ts';
import { FrameSizeGuard } from './frame-size-guard.ts';
import { type Invocation, invoke, isSuccess, type WebSocketHandler } from './handler.ts';
import { acceptedProtocol, isWebSocketUpgrade, offeredProtocols, refuseUpgrade } from './handshake.ts';
import { awsStyleId, instanceIdFactory } from './ids.ts';
import type { EmulatorLimits } from './limits.ts';
import { LocalConnection } from './local-connection.ts';
import { LocalGateway } from './local-gateway.ts';
import { handleManagementRequest } from './management-api.ts';
import {
  type ApiIdentity,
  type ConnectionIdentity,
  connectEvent,
  disconnectEvent,
  messageEvent,
} from './request-context.ts';
import { Router, type RouteTable, singleHandlerRoutes } from './routes.ts';

/**
 * What the API runs: `routes` (a route table, as API Gateway defines one), or one `handler` for every route
 * (`$connect`, `$disconnect`, and `$default` with a route response).
 */
type EmulatorTarget = { handler: WebSocketHandler; routes?: never } | { routes: RouteTable; handler?: never };

type EmulatorBaseOptions = EmulatorTarget & {
  logger?: Logger;
  /** Stage name in every requestContext; the management API is also served under `/{stage}`. */
  stage?: string;
  apiId?: string;
  /** Connection id factory; AWS-shaped random ids by default. Tests inject ids that need URL-encoding. */
  connectionIds?: () => string;
  /** Extra HTTP routes (e.g. `POST /publish`), tried before the management API; true when handled. */
  httpRoutes?: (request: IncomingMessage, response: ServerResponse) => boolean;
  /** Faults injected on demand (docs/local-runtime.md#fault-injection); also set over `/@emulator/faults`. */
  faults?: Partial<FaultSettings>;
  /** Random numbers in [0, 1) for the fault shares (tests pass a fixed sequence). */
  random?: () => number;
  /**
   * A text frame every connection gets just before `close()` closes it with 1001. None by default: API
   * Gateway sends nothing of its own (a dev server may say why it goes away).
   */
  shutdownNotice?: string;
};

export type EmulatorOptions = EmulatorBaseOptions &
  (
    | {
        /**
         * The gateway the handler writes through (a Broker's), built first on a ConnectionTable with the
         * limits: this emulator serves that table's connections.
         */
        gateway: LocalGateway;
        limits?: never;
      }
    | { gateway?: never; limits?: Partial<EmulatorLimits> }
  );

/** Close reasons API Gateway puts in `$disconnect` when the close frame had none. */
const DEFAULT_CLOSE_REASONS: Record<number, string> = {
  1000: 'Connection Closed Normally',
  1001: 'Going away',
  1005: 'Client-side close frame status not set',
  1006: 'Connection Closed Abnormally',
  1009: 'Message too big',
};

const GOING_AWAY = 'Going away';

/**
 * An API Gateway WebSocket API on one local port: WebSocket upgrades, routes (`$connect`, `$disconnect`,
 * `$default`, custom keys picked by a route selection expression, MOCK integrations) driven through
 * Lambda-shaped handlers, the `@connections`
 * management API over HTTP, and API Gateway's limits and timers. See docs/local-runtime.md.
 */
export class ApiGatewayEmulator {
  readonly limits: EmulatorLimits;
  /** The in-process Gateway port a Broker uses to reach these connections. */
  readonly gateway: LocalGateway;
  /** The open connections; the one place a connection is ended (`end`). */
  private readonly connections: ConnectionTable;
  private router: Router;
  /** Faults injected on demand; none by default. */
  readonly faults: FaultInjector;
  private readonly logger: Logger;
  private readonly stage: string;
  private readonly apiId: string;
  private newConnectionId: () => string;
  private readonly customIds: boolean;
  private readonly server: Server;
  private readonly wss: WebSocketServer;
  /** Subprotocol chosen by `$connect`, per upgrade request, for ws's handleProtocols hook. */
  private readonly chosenProtocols = new WeakMap<IncomingMessage, string>();
  private readonly pendingConnects = new Set<Promise<void>>();
  /** Every connection from open until its `$disconnect` was handled (the table holds only open ones). */
  private readonly live = new Set<LocalConnection>();
  private api: ApiIdentity | undefined;
  private shuttingDown = false;
  /** The idle / max-duration sweep; runs only while connections are open. */
  private sweep: NodeJS.Timeout | undefined;
  private readonly connectionsPerIp: ConnectionCounter;
  private readonly httpRoutes: EmulatorOptions['httpRoutes'];
  private readonly shutdownNotice: string | undefined;

  constructor(options: EmulatorOptions) {
    this.router = new Router(options.routes ?? singleHandlerRoutes(options.handler));
    this.faults = new FaultInjector(options.faults, options.random);
    this.logger = options.logger ?? silentLogger;
    this.gateway =
      options.gateway ??
      new LocalGateway(
        new ConnectionTable({ logger: this.logger, ...(options.limits ? { limits: options.limits } : {}) }),
      );
    this.connections = this.gateway.connections;
    this.limits = this.connections.limits;
    this.stage = options.stage ?? 'local';
    this.apiId = options.apiId ?? 'local';
    this.newConnectionId = options.connectionIds ?? awsStyleId;
    this.customIds = options.connectionIds !== undefined;
    this.connectionsPerIp = new ConnectionCounter(this.limits.maxConnectionsPerIp);
    this.httpRoutes = options.httpRoutes;
    this.shutdownNotice = options.shutdownNotice;
    this.wss = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      perMessageDeflate: false,
      // Whole messages; single frames are limited by FrameSizeGuard.
      maxPayload: this.limits.maxMessageBytes,
      handleProtocols: (_offered, request) => this.chosenProtocols.get(request) ?? false,
    });
    this.server = createServer((request, response) => this.onHttpRequest(request, response));
    this.server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      const pending = this.onUpgrade(request, socket, head).catch((error: unknown) => {
        this.logger.error('upgrade failed', { error: describe(error) });
        refuseUpgrade(socket, 500);
      });
      this.pendingConnects.add(pending);
      void pending.finally(() => this.pendingConnects.delete(pending));
    });
    this.server.on('clientError', (_error, socket) => socket.destroy());
  }

  /** Starts listening; resolves with the bound port. */
  async listen(port: number, host: string): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const bound = (this.server.address() as AddressInfo).port;
    if (!this.customIds) {
      // Ids carry a marker of this server (host and port), so the gateway never reports another server's
      // live connections as gone when two share a DynamoDB table (local-gateway.ts).
      const ids = instanceIdFactory(`${hostname()}:${host}:${bound}`);
      this.newConnectionId = ids.next;
      this.connections.issuedBy(ids.owns);
    }
    this.api = { apiId: this.apiId, stage: this.stage, domainName: `${reachableHost(host)}:${bound}` };
    return bound;
  }

  /** Management endpoint as a handler would build it: `http://{domainName}/{stage}`. */
  get domainName(): string {
    return this.requireApi().domainName;
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  /**
   * Closes every connection with 1001 (going away), waits for their `$disconnect` to be handled, and
   * releases the port.
   */
  async close(): Promise<void> {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    this.stopSweep();
    await Promise.all(this.pendingConnects);
    for (const connection of [...this.connections.values()]) {
      this.connections.end(connection, CloseCodes.goingAway, GOING_AWAY, this.shutdownNotice);
    }
    // Connections already closing (deleted, expired) are waited for too: no $disconnect after close().
    await Promise.all([...this.live].map((connection) => connection.finished));
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    this.wss.close();
  }

  private requireApi(): ApiIdentity {
    if (!this.api) throw new Error('the emulator is not listening yet');
    return this.api;
  }

  // ---- HTTP: the management API ----

  private onHttpRequest(request: IncomingMessage, response: ServerResponse): void {
    if (this.httpRoutes?.(request, response)) return;
    if (handleFaultsRequest(request, response, this.faults)) return;
    const handled = handleManagementRequest(request, response, {
      connections: this.connections,
      stage: this.stage,
      faults: this.faults,
    });
    if (handled) return;
    const status = request.method === 'GET' ? 426 : 404;
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ message: status === 426 ? 'Upgrade Required' : 'Not Found' }));
  }

  /**
   * Every reply (acks, errors, `history` answers, pongs of the MOCK ping route) goes out through here, under
   * the same unread-output bound as fan-out: a client that sends but never reads is disconnected as
   * `slow_consumer` instead of growing the server's memory with its answers.
   */
  private reply(connection: LocalConnection, text: string): void {
    if (!connection.isOpen) return;
    if (this.connections.isSlow(connection)) {
      this.connections.dropSlowConsumer(connection);
      return;
    }
    connection.sendText(text);
  }

  // ---- WebSocket: $connect ----

  private async onUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    // Until ws owns the socket, its errors (a client giving up mid-$connect) must not crash the process.
    const ignoreError = () => {};
    socket.on('error', ignoreError);
    if (this.shuttingDown) return refuseUpgrade(socket, 503);
    if (!isWebSocketUpgrade(request)) return refuseUpgrade(socket, 400);

    // The TCP peer, never X-Forwarded-For: a client cannot choose which address it is counted against.
    const sourceIp = normalizeIp(request.socket.remoteAddress);
    if (!this.connectionsPerIp.tryAcquire(sourceIp)) {
      this.logger.warn('too many connections from one address', { sourceIp });
      const body = errorFrame(
        'rate_limited',
        `at most ${this.limits.maxConnectionsPerIp} connections per address`,
      );
      return refuseUpgrade(socket, 429, JSON.stringify(body));
    }
    // The TCP socket closes exactly once, whether the upgrade was refused or failed; an opened connection
    // gives its address back in onClose instead (one listener fewer on every open socket).
    const release = () => this.connectionsPerIp.release(sourceIp);
    socket.once('close', release);

    const api = this.requireApi();
    const identity: ConnectionIdentity = {
      connectionId: this.newConnectionId(),
      connectedAt: Date.now(),
      sourceIp: normalizeIp(request.socket.remoteAddress),
    };
    const userAgent = request.headers['user-agent'];
    if (userAgent !== undefined) identity.userAgent = userAgent;
    const event = connectEvent(api, identity, request, (this.server.address() as AddressInfo).port);
    const fields = {
      connectionId: identity.connectionId,
      route: '$connect',
      requestId: event.requestContext.requestId,
    };

    const connectRoute = this.router.lifecycle('$connect');
    // No $connect route: API Gateway accepts every connection.
    const invocation: Invocation = connectRoute
      ? await invoke(connectRoute.handler, event, this.limits.integrationTimeoutMs)
      : { outcome: 'ok', result: { statusCode: 200 } };
    const refusal = connectRefusal(invocation);
    if (refusal) {
      this.logConnectRefusal(invocation, refusal.statusCode, fields);
      return refuseUpgrade(socket, refusal.statusCode, refusal.body);
    }
    const result = (invocation as Extract<Invocation, { outcome: 'ok' }>).result;

    // The client left, or the server began shutting down, while $connect ran: the handler has recorded a
    // connection that will never open, so it gets its $disconnect.
    if (socket.destroyed || !socket.writable || this.shuttingDown) {
      refuseUpgrade(socket, 503);
      await this.disconnect(identity, 1006, DEFAULT_CLOSE_REASONS[1006] as string);
      return;
    }

    const protocol = acceptedProtocol(offeredProtocols(request), result.headers);
    if (protocol !== undefined) this.chosenProtocols.set(request, protocol);
    socket.off('error', ignoreError);
    let opened = false;
    // Synchronous here (no compression to negotiate): on return the connection is open, or ws gave up on
    // the socket (it closed in the meantime) and the handler's connection must still be disconnected.
    this.wss.handleUpgrade(request, socket, head, (ws) => {
      opened = true;
      socket.off('close', release);
      this.onOpen(ws, socket, identity);
    });
    if (!opened) {
      await this.disconnect(identity, 1006, DEFAULT_CLOSE_REASONS[1006] as string);
      return;
    }
    this.logger.info('connected', { ...fields, sourceIp: identity.sourceIp });
  }

  private logConnectRefusal(
    invocation: Invocation,
    statusCode: number,
    fields: Record<string, string>,
  ): void {
    if (invocation.outcome === 'error') {
      this.logger.error('$connect handler failed', { ...fields, error: describe(invocation.error) });
    } else if (invocation.outcome === 'timeout') {
      this.logger.error('$connect handler timed out', fields);
    } else {
      this.logger.info('connection refused', { ...fields, statusCode });
    }
  }

  // ---- WebSocket: open connection ----

  private onOpen(ws: WebSocket, socket: Duplex, identity: ConnectionIdentity): void {
    const connection = new LocalConnection(identity, ws, socket, this.limits.maxQueuedMessages);
    this.connections.add(connection);
    this.live.add(connection);
    connection.frameGuard = new FrameSizeGuard(this.limits.maxFrameBytes);
    // Listeners shared by every connection, which they find on the socket: per-connection closures (and
    // their contexts) cost memory on every idle connection.
    connection.attachTo(ws, socket);
    // Runs before ws reads the same bytes, so an oversize frame is caught before it becomes a message. Every
    // frame the client sends (messages, pings, pongs) passes here, so this is also where activity is stamped
    // for the idle timeout: no ping/pong listeners per connection.
    socket.prependListener('data', this.listeners.socketData);
    ws.on('message', this.listeners.message);
    ws.on('error', this.listeners.error);
    ws.on('close', this.listeners.close);
    this.startSweep();
  }

  /** One set of socket listeners for all connections; each finds its connection with `LocalConnection.of`. */
  private readonly listeners = sharedListeners(this);

  /** @internal Called by the listeners every socket shares (sharedListeners below); not part of the emulator's API. */
  onSocketData(connection: LocalConnection, chunk: Buffer): void {
    connection.touch();
    const oversize = connection.frameGuard?.write(chunk);
    if (oversize === undefined) return;
    this.logger.info('frame too large', { connectionId: connection.id, payloadLength: oversize });
    this.connections.end(connection, CloseCodes.messageTooBig, 'Message too big');
  }

  /** @internal Called by the listeners every socket shares (sharedListeners below); not part of the emulator's API. */
  onSocketError(connection: LocalConnection, error: Error): void {
    // ws closes the connection itself (1009 past maxPayload, 1007 bad UTF-8, 1002 protocol errors).
    this.logger.debug('socket error', { connectionId: connection.id, error: describe(error) });
    const code = wsFailureCode(error);
    if (code !== undefined) {
      connection.failed(code);
      this.connections.remove(connection);
    }
  }

  /**
   * Idle and max-duration deadlines: one sweep over the open connections instead of timers per connection
   * (two `Timeout` objects each cost more than the rest of an idle connection's emulator state). A deadline
   * is acted on at most one sweep period late; the period scales with the shortest timeout (a tenth of it,
   * at most a second), so shortened timeouts in tests stay as exact as they need to be.
   */
  private startSweep(): void {
    if (this.sweep || this.shuttingDown) return;
    const { idleTimeoutMs, maxConnectionDurationMs } = this.limits;
    const periodMs = Math.max(
      1,
      Math.min(1000, Math.floor(Math.min(idleTimeoutMs, maxConnectionDurationMs) / 10)),
    );
    this.sweep = setInterval(this.expireDue, periodMs);
    this.sweep.unref();
  }

  private readonly expireDue = (): void => {
    const { idleTimeoutMs, maxConnectionDurationMs } = this.limits;
    const now = Date.now();
    for (const connection of [...this.connections.values()]) {
      if (now - connection.identity.connectedAt >= maxConnectionDurationMs) {
        this.expire(connection, 'maximum connection duration reached');
      } else if (now - connection.lastActiveAt >= idleTimeoutMs) {
        this.expire(connection, 'idle timeout');
      }
    }
    if (this.connections.size === 0) this.stopSweep();
  };

  private stopSweep(): void {
    if (this.sweep) clearInterval(this.sweep);
    this.sweep = undefined;
  }

  private expire(connection: LocalConnection, why: string): void {
    this.logger.info(why, { connectionId: connection.id });
    this.connections.end(connection, CloseCodes.goingAway, GOING_AWAY);
  }

  // ---- WebSocket: messages ----

  /** @internal Called by the listeners every socket shares (sharedListeners below); not part of the emulator's API. */
  onMessage(connection: LocalConnection, data: Buffer, isBinary: boolean): void {
    if (!connection.isOpen) return;
    connection.touch();
    if (this.faults.dropsConnection()) {
      // A forced disconnect: the socket is lost, as when a network path dies (the client sees 1006).
      this.logger.info('fault: connection dropped', { connectionId: connection.id });
      connection.socket.terminate();
      return;
    }
    const body = isBinary ? data.toString('base64') : data.toString('utf8');
    // A binary frame's base64 text selects nothing: it goes to $default.
    const selected = isBinary ? this.router.message('') : this.router.message(body);
    if (selected && 'mock' in selected.route) {
      // A MOCK integration answers at once, without waiting for the connection's queued invocations.
      this.reply(connection, selected.route.mock(body));
      return;
    }
    connection.enqueue(() => this.route(connection, selected, body, isBinary));
  }

  private async route(
    connection: LocalConnection,
    selected: ReturnType<Router['message']>,
    body: string,
    isBase64Encoded: boolean,
  ): Promise<void> {
    const routeKey = selected?.key ?? '$default';
    const event = messageEvent(this.requireApi(), connection.identity, routeKey, body, isBase64Encoded);
    const { requestId } = event.requestContext;
    if (!selected || !('handler' in selected.route)) {
      // No route matched and the API has no $default: API Gateway answers so and keeps the connection.
      this.reply(connection, gatewayError('Forbidden', connection.id, requestId));
      return;
    }
    const route = selected.route;
    const invocation = await invoke(route.handler, event, this.limits.integrationTimeoutMs);
    const fields = { connectionId: connection.id, route: routeKey, requestId };
    switch (invocation.outcome) {
      case 'ok':
        // Only a two-way route sends the integration's body back to the caller.
        if (route.routeResponse && invocation.result.body) this.reply(connection, invocation.result.body);
        return;
      case 'error':
        this.logger.error(`${routeKey} handler failed`, { ...fields, error: describe(invocation.error) });
        this.reply(connection, gatewayError('Internal server error', connection.id, requestId));
        return;
      case 'timeout':
        this.logger.error(`${routeKey} handler timed out`, fields);
        this.reply(connection, gatewayError('Endpoint request timed out', connection.id, requestId));
        return;
    }
  }

  /**
   * Runs other routes from now on (a reloaded handler); open connections stay open and their next message
   * goes to the new routes. Invocations already running finish on the old ones.
   */
  useRoutes(routes: RouteTable): void {
    this.router = new Router(routes);
  }

  // ---- WebSocket: $disconnect ----

  /** @internal Called by the listeners every socket shares (sharedListeners below); not part of the emulator's API. */
  onClose(connection: LocalConnection, code: number, reason: string): void {
    const report = connection.closed(code, reason);
    this.connectionsPerIp.release(connection.identity.sourceIp);
    this.connections.remove(connection);
    const statusCode = report.code;
    const closeReason = report.reason || DEFAULT_CLOSE_REASONS[statusCode] || '';
    // After the connection's queued messages, so the handler sees a stable order.
    connection.enqueue(async () => {
      await this.disconnect(connection.identity, statusCode, closeReason);
      connection.markFinished();
      this.live.delete(connection);
    });
  }

  private async disconnect(identity: ConnectionIdentity, statusCode: number, reason: string): Promise<void> {
    const event = disconnectEvent(this.requireApi(), identity, statusCode, reason);
    const fields = {
      connectionId: identity.connectionId,
      route: '$disconnect',
      requestId: event.requestContext.requestId,
    };
    const route = this.router.lifecycle('$disconnect');
    // No $disconnect route: nothing is invoked.
    if (!route) {
      this.logger.info('disconnected', { ...fields, statusCode, reason });
      return;
    }
    const invocation = await invoke(route.handler, event, this.limits.integrationTimeoutMs);
    if (invocation.outcome === 'error') {
      this.logger.error('$disconnect handler failed', { ...fields, error: describe(invocation.error) });
    } else if (invocation.outcome === 'timeout') {
      this.logger.error('$disconnect handler timed out', fields);
    } else {
      this.logger.info('disconnected', { ...fields, statusCode, reason });
    }
  }
}

/** The listeners every connection's socket and WebSocket share (`this` is the emitter). */
function sharedListeners(emulator: ApiGatewayEmulator) {
  return {
    socketData(this: Duplex, chunk: Buffer): void {
      const connection = LocalConnection.of(this);
      if (connection) emulator.onSocketData(connection, chunk);
    },
    message(this: WebSocket, data: RawData, isBinary: boolean): void {
      const connection = LocalConnection.of(this);
      if (connection) emulator.onMessage(connection, data as Buffer, isBinary);
    },
    error(this: WebSocket, error: Error): void {
      const connection = LocalConnection.of(this);
      if (connection) emulator.onSocketError(connection, error);
    },
    close(this: WebSocket, code: number, reason: Buffer): void {
      const connection = LocalConnection.of(this);
      if (connection) emulator.onClose(connection, code, reason.toString());
    },
  };
}

/**
 * The close code `ws` sent when it failed a connection, from its documented error codes (`WS_ERR_*`):
 * 1007 for bad UTF-8, 1009 for a message or frame over the limit, 1002 for every protocol error.
 */
function wsFailureCode(error: Error): number | undefined {
  const code = (error as Error & { code?: unknown }).code;
  if (typeof code !== 'string' || !code.startsWith('WS_ERR_')) return undefined;
  if (code === 'WS_ERR_INVALID_UTF8') return 1007; // invalid frame payload data (RFC 6455 §7.4.1)
  if (code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' || code === 'WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH') {
    return CloseCodes.messageTooBig;
  }
  return 1002; // protocol error
}

/** Why `$connect` refuses the upgrade, if it does: API Gateway answers 500 for a failed integration, 504 for a slow one. */
function connectRefusal(invocation: Invocation): { statusCode: number; body?: string } | undefined {
  if (invocation.outcome === 'error') return { statusCode: 500 };
  if (invocation.outcome === 'timeout') return { statusCode: 504 };
  if (isSuccess(invocation.result.statusCode)) return undefined;
  const refusal: { statusCode: number; body?: string } = { statusCode: invocation.result.statusCode };
  if (invocation.result.body) refusal.body = invocation.result.body;
  return refusal;
}

/** The frame API Gateway sends a client when the integration behind its message failed. */
function gatewayError(message: string, connectionId: string, requestId: string): string {
  return JSON.stringify({ message, connectionId, requestId });
}

/** A host the handler can reach this server at, for `domainName` (wildcard binds answer on loopback). */
function reachableHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

function normalizeIp(address: string | undefined): string {
  if (!address) return '127.0.0.1';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
