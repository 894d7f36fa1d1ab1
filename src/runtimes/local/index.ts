/**
 * topicsocket's dev server: the broker in process behind the API Gateway emulator (../emulator), with the
 * web console, `GET /stats`, the admin listings, `POST /publish` and the in-process fan-out queue
 * (docs/local-runtime.md).
 */

import type { AuthOptions } from '../../core/auth/index.ts';
import { redactingLogger } from '../../core/auth/index.ts';
import type {
  Broker,
  BrokerLimits,
  BrokerOptions,
  Logger,
  Metrics,
  ShardingSettings,
  Store,
} from '../../core/index.ts';
import type { PublishApiOptions } from '../../core/publish-api/index.ts';
import type { DisconnectFrame } from '../../protocol/index.ts';
import { MemoryStore } from '../../stores/index.ts';
import {
  ApiGatewayEmulator,
  ConnectionTable,
  type EmulatorLimits,
  LocalGateway,
  type WebSocketHandler,
} from '../emulator/index.ts';
import { consoleAssetBuilder } from './console-assets.ts';
import { consoleRoutes } from './console-routes.ts';
import { DEFAULT_HOST, DEFAULT_PORT } from './defaults.ts';
import { type HttpRoute, type InProcessBroker, inProcessBroker } from './in-process-broker.ts';
import type { InProcessFanoutQueue, InProcessFanoutQueueOptions } from './in-process-fanout-queue.ts';
import { ServerStats } from './server-stats.ts';
import { statsAccess } from './stats-access.ts';
import { topicsocketRoutes } from './topicsocket-routes.ts';

export {
  ApiGatewayEmulator,
  awsStyleId,
  defaultEmulatorLimits,
  type EmulatorLimits,
  type EmulatorOptions,
  LocalGateway,
  normalizeResult,
  type WebSocketHandler,
} from '../emulator/index.ts';
export { ConsoleLogger, type ConsoleLoggerOptions, type LogLevel } from './console-logger.ts';
export { DEFAULT_HOST, DEFAULT_PORT } from './defaults.ts';
export { InProcessFanoutQueue, type InProcessFanoutQueueOptions } from './in-process-fanout-queue.ts';
export { TOPICSOCKET_ROUTE_SELECTION, topicsocketRoutes } from './topicsocket-routes.ts';

export interface LocalServerOptions {
  /** Default 3001; 0 picks a free port. */
  port?: number;
  /** Interface to listen on; default 127.0.0.1 (use 0.0.0.0 to accept connections from other machines). */
  host?: string;
  /** Default: a fresh MemoryStore. Closed by `close()` only when the server created it. */
  store?: Store;
  limits?: Partial<EmulatorLimits>;
  brokerLimits?: Partial<BrokerLimits>;
  /** Server hooks for the in-process broker (docs/hooks.md): an object, or a source a reload swaps. */
  hooks?: BrokerOptions['hooks'];
  /** A hook call's budget, ms. */
  hookTimeoutMs?: number;
  logger?: Logger;
  metrics?: Metrics;
  /** Drive this Lambda-shaped handler instead of an in-process Broker (then `store` is unused). */
  handler?: WebSocketHandler;
  /** Stage name in events and in the management path (default `local`). */
  stage?: string;
  /** Connection id factory (tests use it to force ids that need URL-encoding). */
  connectionIds?: () => string;
  /**
   * Authentication and topic permissions (docs/security.md). Absent: open, and a warning is logged. Token
   * expiry closes connections on time here (`expiryTimers` defaults to true).
   */
  auth?: AuthOptions;
  /**
   * `POST /publish` (needs the in-process broker). Default: served, refusing every caller until `auth`
   * names API keys, a verifier, or `open`. `false`: not served.
   */
  publishApi?: Omit<PublishApiOptions, 'publish' | 'logger'> | false;
  /**
   * The web console (`GET /` from a browser, `/console/`) and `GET /stats` (docs/console.md). Default true;
   * `false`: neither is served.
   */
  console?: boolean;
  /**
   * The sharded fan-out of big topics, in process (docs/architecture.md): on by default with the same
   * threshold as on AWS; lower `settings.threshold` to send small topics through the workers. `false`: off.
   */
  fanout?: { settings?: Partial<ShardingSettings>; queue?: InProcessFanoutQueueOptions } | false;
}

export interface LocalServer {
  /** WebSocket URL clients connect to, e.g. `ws://127.0.0.1:3001`. */
  url: string;
  /** Base URL of the `@connections` management API, for `new ApiGatewayManagementApiClient({ endpoint })`. */
  managementEndpoint: string;
  port: number;
  /** The in-process broker (absent when a custom `handler` was given). */
  broker?: Broker;
  /** The Gateway port writing to this server's sockets. */
  gateway: LocalGateway;
  /** The in-process shard queue (absent with `fanout: false` or a custom `handler`). */
  fanoutQueue?: InProcessFanoutQueue;
  /** Open connections. */
  connections(): number;
  /** Closes every connection with 1001, waits for their `$disconnect`, releases the port. */
  close(): Promise<void>;
}

export async function startLocalServer(options: LocalServerOptions = {}): Promise<LocalServer> {
  const ownsStore = options.handler === undefined && options.store === undefined;
  const store: Store = options.store ?? new MemoryStore();
  // Tokens and API keys never reach the logs, whatever a handler or a log call passes along.
  const logger = options.logger ? redactingLogger(options.logger) : undefined;
  const stats = options.console === false ? undefined : new ServerStats(options.metrics);
  const access = statsAccess(options.auth, options.publishApi ? options.publishApi.auth : undefined);
  // The table of open connections comes first: the broker's gateway writes to it, the emulator fills it.
  const connections = new ConnectionTable({
    ...(options.limits ? { limits: options.limits } : {}),
    ...(logger ? { logger } : {}),
    slowConsumerNotice,
  });
  const gateway = new LocalGateway(connections);
  const { handler, inProcess } = options.handler
    ? { handler: options.handler, inProcess: undefined }
    : asHandler(
        inProcessBroker({
          store,
          gateway,
          logger,
          metrics: stats ?? options.metrics,
          brokerLimits: options.brokerLimits,
          auth: options.auth,
          hooks: options.hooks,
          hookTimeoutMs: options.hookTimeoutMs,
          publishApi: options.publishApi,
          fanout: options.fanout,
          adminAccess: stats ? access : undefined,
        }),
      );
  const routes: HttpRoute[] = [];
  if (stats) {
    routes.push(
      consoleRoutes({
        build: consoleAssetBuilder(),
        // The console's store figures come from the broker's store: none with a custom handler.
        stats: () => stats.snapshot(connections.size, inProcess ? store : undefined),
        statsAccess: access,
        authRequired: options.auth?.mode === 'required',
      }),
    );
  }
  routes.push(...(inProcess?.routes ?? []));
  const emulator = new ApiGatewayEmulator({
    routes: topicsocketRoutes(handler),
    gateway,
    shutdownNotice: SHUTDOWN_NOTICE,
    ...(logger ? { logger } : {}),
    httpRoutes: (request, response) => routes.some((route) => route(request, response)),
    ...(options.stage !== undefined ? { stage: options.stage } : {}),
    ...(options.connectionIds ? { connectionIds: options.connectionIds } : {}),
  });
  if (!options.auth || options.auth.mode === 'open') {
    logger?.warn(
      'AUTH IS OFF: anyone who can reach this server may connect, subscribe and publish to any topic',
    );
  }
  const broker = inProcess?.broker;
  const fanoutQueue = inProcess?.fanoutQueue;
  let port: number;
  try {
    port = await emulator.listen(options.port ?? DEFAULT_PORT, options.host ?? DEFAULT_HOST);
  } catch (error) {
    // Port in use, bad host: release what was started so the caller can report it and exit.
    broker?.dispose();
    await emulator.close().catch(() => {});
    if (ownsStore) await store.close?.();
    throw error;
  }
  const host = emulator.domainName;
  let closing: Promise<void> | undefined;
  const server: LocalServer = {
    url: `ws://${host}`,
    managementEndpoint: `http://${host}`,
    port,
    gateway,
    connections: () => emulator.connectionCount,
    close: () => {
      closing ??= (async () => {
        await fanoutQueue?.close();
        await emulator.close();
        broker?.dispose();
        if (ownsStore) await store.close?.();
      })();
      return closing;
    },
  };
  if (broker) server.broker = broker;
  if (fanoutQueue) server.fanoutQueue = fanoutQueue;
  return server;
}

/** Said to a client dropped for leaving too much unread: it may come back and recover what it missed. */
function slowConsumerNotice(maxBufferedBytes: number): string {
  const frame: DisconnectFrame = {
    type: 'disconnect',
    reason: 'slow_consumer',
    message: `more than ${maxBufferedBytes} bytes unread; reconnect and recover from history`,
    reconnect: true,
  };
  return JSON.stringify(frame);
}

/** Said to every client when the dev server stops: it is coming back (a restart), so reconnecting helps. */
const SHUTDOWN_NOTICE = JSON.stringify({
  type: 'disconnect',
  reason: 'server_shutdown',
  message: 'the server is shutting down',
  reconnect: true,
} satisfies DisconnectFrame);

function asHandler(inProcess: InProcessBroker): { handler: WebSocketHandler; inProcess: InProcessBroker } {
  return { handler: inProcess.handler, inProcess };
}
