/**
 * The local runtime: an API Gateway WebSocket emulator running the broker in process (docs/local-runtime.md).
 */

import { AdminQueries } from '../../core/admin/index.ts';
import type { AuthOptions } from '../../core/auth/index.ts';
import { redactingLogger } from '../../core/auth/index.ts';
import {
  Broker,
  type BrokerLimits,
  type BrokerOptions,
  hasInventory,
  type Logger,
  type Metrics,
  type ShardingSettings,
  type Store,
} from '../../core/index.ts';
import { PublishApi, type PublishApiOptions } from '../../core/publish-api/index.ts';
import { MemoryStore } from '../../stores/index.ts';
import { adminRoutes } from './admin-routes.ts';
import { consoleAssetBuilder } from './console-assets.ts';
import { consoleRoutes } from './console-routes.ts';
import { DEFAULT_HOST, DEFAULT_PORT } from './defaults.ts';
import { ApiGatewayEmulator } from './emulator.ts';
import type { WebSocketHandler } from './handler.ts';
import { InProcessFanoutQueue, type InProcessFanoutQueueOptions } from './in-process-fanout-queue.ts';
import type { EmulatorLimits } from './limits.ts';
import type { LocalGateway } from './local-gateway.ts';
import { publishRoute } from './publish-route.ts';
import { ServerStats } from './server-stats.ts';
import { statsAccess } from './stats-access.ts';

export { ConsoleLogger, type ConsoleLoggerOptions, type LogLevel } from './console-logger.ts';
export { DEFAULT_HOST, DEFAULT_PORT } from './defaults.ts';
export { ApiGatewayEmulator, type EmulatorOptions } from './emulator.ts';
export { normalizeResult, type WebSocketHandler } from './handler.ts';
export { awsStyleId } from './ids.ts';
export { InProcessFanoutQueue, type InProcessFanoutQueueOptions } from './in-process-fanout-queue.ts';
export { defaultEmulatorLimits, type EmulatorLimits } from './limits.ts';
export { LocalGateway } from './local-gateway.ts';

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
  let broker: Broker | undefined;
  const ownsStore = options.handler === undefined && options.store === undefined;
  const store: Store = options.store ?? new MemoryStore();
  // Tokens and API keys never reach the logs, whatever a handler or a log call passes along.
  const logger = options.logger ? redactingLogger(options.logger) : undefined;
  let publishApi: PublishApi | undefined;
  const stats = options.console === false ? undefined : new ServerStats(options.metrics);
  const access = statsAccess(options.auth, options.publishApi ? options.publishApi.auth : undefined);
  const consoleRoute = stats
    ? consoleRoutes({
        build: consoleAssetBuilder(),
        stats: () => stats.snapshot(emulator.connectionCount, options.handler ? undefined : store),
        statsAccess: access,
        authRequired: options.auth?.mode === 'required',
      })
    : undefined;
  // The console's admin listings read the broker's store: none with a custom handler (set below).
  let adminRoute: ReturnType<typeof adminRoutes> | undefined;
  const emulator: ApiGatewayEmulator = new ApiGatewayEmulator({
    handler: options.handler ?? ((event) => (broker as Broker).handle(event)),
    ...(options.limits ? { limits: options.limits } : {}),
    ...(logger ? { logger } : {}),
    httpRoutes: (request, response) =>
      consoleRoute?.(request, response) ||
      adminRoute?.(request, response) ||
      (publishApi ? publishRoute(publishApi)(request, response) : false),
    ...(options.stage !== undefined ? { stage: options.stage } : {}),
    ...(options.connectionIds ? { connectionIds: options.connectionIds } : {}),
  });
  let fanoutQueue: InProcessFanoutQueue | undefined;
  const fanout = options.fanout === false ? undefined : (options.fanout ?? {});
  if (!options.handler && fanout) {
    fanoutQueue = new InProcessFanoutQueue({
      ...(logger ? { logger } : {}),
      ...(stats || options.metrics ? { metrics: stats ?? options.metrics } : {}),
      ...fanout.queue,
    });
  }
  if (!options.handler) {
    broker = new Broker({
      store,
      gateway: emulator.gateway,
      ...(logger ? { logger } : {}),
      ...(stats || options.metrics ? { metrics: stats ?? options.metrics } : {}),
      ...(options.brokerLimits ? { limits: options.brokerLimits } : {}),
      ...(options.hooks ? { hooks: options.hooks } : {}),
      ...(options.hookTimeoutMs === undefined ? {} : { hookTimeoutMs: options.hookTimeoutMs }),
      ...(options.auth ? { auth: { expiryTimers: true, ...options.auth } } : {}),
      ...(fanoutQueue
        ? {
            sharding: {
              queue: fanoutQueue,
              ...(fanout?.settings ? { settings: fanout.settings } : {}),
            },
          }
        : {}),
    });
    const worker = broker.shardWorker();
    if (fanoutQueue && worker) fanoutQueue.attach(worker);
    if (stats) {
      adminRoute = adminRoutes({
        queries: new AdminQueries({
          ...(hasInventory(store) ? { inventory: store } : {}),
          ...(store.history ? { history: store.history } : {}),
          retention: broker.limits.history,
        }),
        access,
        ...(logger ? { logger } : {}),
      });
    }
    if (options.publishApi !== false) {
      const inProcess = broker;
      publishApi = new PublishApi({
        auth: {},
        ...options.publishApi,
        publish: (topic, data, options) => inProcess.publish(topic, data, options),
        check: (topic, data) => inProcess.assertPublishable(topic, data),
        beforePublish: (principal, topic, data) => inProcess.backendPublishHook(principal, topic, data),
        ...(logger ? { logger } : {}),
      });
    }
  }
  if (!options.auth || options.auth.mode === 'open') {
    logger?.warn(
      'AUTH IS OFF: anyone who can reach this server may connect, subscribe and publish to any topic',
    );
  }
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
    gateway: emulator.gateway,
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
