/**
 * The local runtime: an API Gateway WebSocket emulator running the broker in process (docs/local-runtime.md).
 */
import { Broker, type BrokerLimits, type Logger, type Metrics, type Store } from '../../core/index.ts';
import { MemoryStore } from '../../stores/index.ts';
import { ApiGatewayEmulator } from './emulator.ts';
import type { WebSocketHandler } from './handler.ts';
import type { EmulatorLimits } from './limits.ts';
import type { LocalGateway } from './local-gateway.ts';

export { ConsoleLogger, type ConsoleLoggerOptions, type LogLevel } from './console-logger.ts';
export { ApiGatewayEmulator, type EmulatorOptions } from './emulator.ts';
export { normalizeResult, type WebSocketHandler } from './handler.ts';
export { awsStyleId } from './ids.ts';
export { defaultEmulatorLimits, type EmulatorLimits } from './limits.ts';
export { LocalGateway } from './local-gateway.ts';

export const DEFAULT_PORT = 3001;
export const DEFAULT_HOST = '127.0.0.1';

export interface LocalServerOptions {
  /** Default 3001; 0 picks a free port. */
  port?: number;
  /** Interface to listen on; default 127.0.0.1 (use 0.0.0.0 to accept connections from other machines). */
  host?: string;
  /** Default: a fresh MemoryStore. Closed by `close()` only when the server created it. */
  store?: Store;
  limits?: Partial<EmulatorLimits>;
  brokerLimits?: Partial<BrokerLimits>;
  logger?: Logger;
  metrics?: Metrics;
  /** Drive this Lambda-shaped handler instead of an in-process Broker (then `store` is unused). */
  handler?: WebSocketHandler;
  /** Stage name in events and in the management path (default `local`). */
  stage?: string;
  /** Connection id factory (tests use it to force ids that need URL-encoding). */
  connectionIds?: () => string;
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
  /** Open connections. */
  connections(): number;
  /** Closes every connection with 1001, waits for their `$disconnect`, releases the port. */
  close(): Promise<void>;
}

export async function startLocalServer(options: LocalServerOptions = {}): Promise<LocalServer> {
  let broker: Broker | undefined;
  const ownsStore = options.handler === undefined && options.store === undefined;
  const store: Store = options.store ?? new MemoryStore();
  const emulator = new ApiGatewayEmulator({
    handler: options.handler ?? ((event) => (broker as Broker).handle(event)),
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.stage !== undefined ? { stage: options.stage } : {}),
    ...(options.connectionIds ? { connectionIds: options.connectionIds } : {}),
  });
  if (!options.handler) {
    broker = new Broker({
      store,
      gateway: emulator.gateway,
      ...(options.logger ? { logger: options.logger } : {}),
      ...(options.metrics ? { metrics: options.metrics } : {}),
      ...(options.brokerLimits ? { limits: options.brokerLimits } : {}),
    });
  }
  const port = await emulator.listen(options.port ?? DEFAULT_PORT, options.host ?? DEFAULT_HOST);
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
        await emulator.close();
        if (ownsStore) await store.close?.();
      })();
      return closing;
    },
  };
  if (broker) server.broker = broker;
  return server;
}
