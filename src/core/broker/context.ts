import type { AuthOptions } from '../auth/index.ts';
import { type BrokerLimits, defaultBrokerLimits } from '../config.ts';
import type { FanoutDeps } from '../fanout.ts';
import type { Hooks, HooksSource } from '../hooks/index.ts';
import {
  type Gateway,
  type History,
  type Logger,
  type Metrics,
  noMetrics,
  type RetainedHistory,
  type Store,
  silentLogger,
} from '../ports/index.ts';
import type { BrokerSharding } from '../sharding/broker-sharding.ts';
import { PresenceEvents } from './presence-events.ts';

export interface BrokerOptions {
  store: Store;
  gateway: Gateway;
  logger?: Logger;
  metrics?: Metrics;
  limits?: Partial<BrokerLimits>;
  /** Authentication at `$connect` and per-topic permissions (docs/security.md). Absent: open. */
  auth?: AuthOptions;
  /** Epoch milliseconds; injectable so tests can move time. */
  now?: () => number;
  /** Where message history lives. Default: the store's own (`store.history`; both bundled stores keep one). */
  history?: History | false;
  /**
   * Sharded fan-out of big topics through a queue and workers (docs/architecture.md). Absent, or with a
   * store that cannot read subscriber ranges: every publish fans out inline.
   */
  sharding?: BrokerSharding;
  /** Epoch ms after which a fan-out reads no more subscriber pages (the Lambda runtime's invocation budget). */
  fanoutReadDeadline?: () => number | undefined;
  /**
   * Server hooks (docs/hooks.md): a hooks object, or a source whose `current` may change between requests
   * (`topicsocket dev` reloading the module). Absent: none, at no cost.
   */
  hooks?: Hooks | HooksSource;
  /** A hook call's budget, ms (default HookDefaults.timeoutMs; TOPICSOCKET_HOOK_TIMEOUT_MS). */
  hookTimeoutMs?: number;
}

/** What every part of the broker shares: its ports, limits and clock, resolved once from the options. */
export interface BrokerContext {
  readonly store: Store;
  readonly gateway: Gateway;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly limits: BrokerLimits;
  readonly now: () => number;
  readonly auth: AuthOptions | undefined;
  /** Absent: history is off (the store keeps none, `history: false`, or `limits.history` is false). */
  readonly history: RetainedHistory | undefined;
  /** Absent: the store keeps no presence. */
  readonly presenceEvents: PresenceEvents | undefined;
  /** The fan-out's dependencies, with the read deadline as it is now (it moves with each invocation). */
  fanoutDeps(): FanoutDeps;
}

export function brokerContext(options: BrokerOptions): BrokerContext {
  const limits = { ...defaultBrokerLimits, ...options.limits };
  const store = options.store;
  const gateway = options.gateway;
  const logger = options.logger ?? silentLogger;
  const metrics = options.metrics ?? noMetrics;
  const history = options.history === false ? undefined : (options.history ?? store.history);
  const readDeadline = options.fanoutReadDeadline;
  const now = options.now ?? Date.now;
  // Connections removed by a fan-out (gone, token expired) leave the presence they were in.
  let presenceEvents: PresenceEvents | undefined;
  const onRemoved = async (connectionId: string, memberOf: readonly string[]) =>
    presenceEvents?.leaveAll(connectionId, memberOf);
  const context: BrokerContext = {
    store,
    gateway,
    logger,
    metrics,
    limits,
    now,
    auth: options.auth,
    get presenceEvents() {
      return presenceEvents;
    },
    history: history && limits.history ? { store: history, retention: limits.history } : undefined,
    fanoutDeps() {
      const deadline = readDeadline?.();
      return {
        store,
        gateway,
        logger,
        metrics,
        cleanupConcurrency: limits.cleanupConcurrency,
        ...(deadline === undefined ? {} : { readDeadline: deadline }),
        onRemoved,
      };
    },
  };
  if (store.presence) {
    presenceEvents = new PresenceEvents(
      store.presence,
      limits.presenceEventsPerSecond,
      now,
      () => context.fanoutDeps(),
      logger,
      metrics,
    );
  }
  return context;
}
