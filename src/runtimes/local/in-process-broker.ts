import type { IncomingMessage, ServerResponse } from 'node:http';
import { AdminQueries } from '../../core/admin/index.ts';
import type { AuthOptions } from '../../core/auth/index.ts';
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
import type { LocalGateway, WebSocketHandler } from '../emulator/index.ts';
import { adminRoutes } from './admin-routes.ts';
import { InProcessFanoutQueue, type InProcessFanoutQueueOptions } from './in-process-fanout-queue.ts';
import { publishRoute } from './publish-route.ts';
import type { StatsAccessCheck } from './stats-access.ts';

export type HttpRoute = (request: IncomingMessage, response: ServerResponse) => boolean;

export interface InProcessBrokerOptions {
  store: Store;
  /** The emulator's gateway, built before the emulator so the broker can be its handler. */
  gateway: LocalGateway;
  logger: Logger | undefined;
  /** Metrics the broker and the fan-out queue count into (the stats endpoint's, when the console is on). */
  metrics: Metrics | undefined;
  brokerLimits: Partial<BrokerLimits> | undefined;
  auth: AuthOptions | undefined;
  /** Server hooks (docs/hooks.md): an object, or a source a reload swaps. */
  hooks: BrokerOptions['hooks'] | undefined;
  hookTimeoutMs: number | undefined;
  publishApi: Omit<PublishApiOptions, 'publish' | 'logger'> | false | undefined;
  fanout: { settings?: Partial<ShardingSettings>; queue?: InProcessFanoutQueueOptions } | false | undefined;
  /** Who may read the admin listings; absent: they are not served (no console). */
  adminAccess: StatsAccessCheck | undefined;
}

/** topicsocket's broker in process, with what the dev server serves around it. */
export interface InProcessBroker {
  broker: Broker;
  /** The emulator's handler: the broker's routes. */
  handler: WebSocketHandler;
  fanoutQueue: InProcessFanoutQueue | undefined;
  /** `/admin/*` (with the console) and `POST /publish` (unless turned off), tried in this order. */
  routes: HttpRoute[];
}

/**
 * Builds the broker on the emulator's gateway, with the in-process fan-out queue, the admin listings and
 * the publish API. Everything it needs exists before it is built: no late binding.
 */
export function inProcessBroker(options: InProcessBrokerOptions): InProcessBroker {
  const { store, logger, metrics } = options;
  const fanout = options.fanout === false ? undefined : (options.fanout ?? {});
  const fanoutQueue = fanout
    ? new InProcessFanoutQueue({
        ...(logger ? { logger } : {}),
        ...(metrics ? { metrics } : {}),
        ...fanout.queue,
      })
    : undefined;
  const broker = new Broker({
    store,
    gateway: options.gateway,
    ...(logger ? { logger } : {}),
    ...(metrics ? { metrics } : {}),
    ...(options.brokerLimits ? { limits: options.brokerLimits } : {}),
    ...(options.hooks ? { hooks: options.hooks } : {}),
    ...(options.hookTimeoutMs === undefined ? {} : { hookTimeoutMs: options.hookTimeoutMs }),
    ...(options.auth ? { auth: { expiryTimers: true, ...options.auth } } : {}),
    ...(fanoutQueue
      ? { sharding: { queue: fanoutQueue, ...(fanout?.settings ? { settings: fanout.settings } : {}) } }
      : {}),
  });
  const worker = broker.shardWorker();
  if (fanoutQueue && worker) fanoutQueue.attach(worker);

  const routes: HttpRoute[] = [];
  if (options.adminAccess) {
    routes.push(
      adminRoutes({
        queries: new AdminQueries({
          ...(hasInventory(store) ? { inventory: store } : {}),
          ...(store.history ? { history: store.history } : {}),
          retention: broker.limits.history,
        }),
        access: options.adminAccess,
        ...(logger ? { logger } : {}),
      }),
    );
  }
  if (options.publishApi !== false) {
    const publishApi = new PublishApi({
      auth: {},
      ...options.publishApi,
      publish: (topic, data, publishOptions) => broker.publish(topic, data, publishOptions),
      check: (topic, data) => broker.assertPublishable(topic, data),
      beforePublish: (principal, topic, data) => broker.backendPublishHook(principal, topic, data),
      ...(logger ? { logger } : {}),
    });
    routes.push(publishRoute(publishApi));
  }
  return { broker, handler: (event) => broker.handle(event), fanoutQueue, routes };
}
