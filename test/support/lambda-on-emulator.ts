/**
 * "A Lambda handler behind the emulator on DynamoDB Local": a fresh table on the run's DynamoDB Local, the
 * local API Gateway emulator (`startLocalServer` with a `handler`) invoking the Lambda with a Lambda context,
 * and the Lambda delivering through the emulator's `@connections` API with the real SDK. The Lambda is built
 * once the emulator listens, because its management endpoint is known only then.
 *
 * `close()` (or `await using`) closes what the test tracked, the emulator (whose `$disconnect`s still reach
 * the Lambda), waits for invocations in flight, then destroys the SDK clients it made.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { vi } from 'vitest';
import type { WebSocketEvent, WebSocketResult } from '../../src/core/index.ts';
import type { AwsRuntimeConfig } from '../../src/runtimes/aws/config.ts';
import {
  type AwsHandlerDependencies,
  createAwsHandler,
  type WebSocketLambdaHandler,
} from '../../src/runtimes/aws/create-handler.ts';
import { ManagementClients } from '../../src/runtimes/aws/management-clients.ts';
import {
  type LocalServer,
  type LocalServerOptions,
  startLocalServer,
} from '../../src/runtimes/local/index.ts';
import { TestClient } from '../runtimes/local/client.ts';
import { type Closable, Closer } from './closing.ts';
import { recordedConnectionIds } from './connection-ids.ts';
import { freshTable } from './dynamodb-test-table.ts';
import { lambdaContext } from './lambda-context.ts';
import { localManagementClient } from './management-client.ts';

export interface TestTable {
  client: DynamoDBClient;
  tableName: string;
  endpoint: string;
}

/** What the Lambda is built from, once the emulator listens. */
export interface LambdaSetup {
  table: TestTable;
  managementEndpoint: string;
  /** The test configuration (small pages and limits), with `config` overrides applied. */
  config: AwsRuntimeConfig;
  /** The `@connections` clients the Lambda is given (the fixture's, or the test's). */
  managementClients: ManagementClients;
}

export interface LambdaOnEmulatorOptions {
  /** Prefix of the fresh table's name. */
  table: string;
  /** Overrides of the test configuration (sendConcurrency 10, pages of 100, 10 subscriptions). */
  config?: Partial<AwsRuntimeConfig>;
  /** Passed to `createAwsHandler`, over the fixture's DynamoDB and `@connections` clients. */
  dependencies?: Omit<AwsHandlerDependencies, 'managementClients'>;
  /** `@connections` clients the test owns (and destroys); default: the fixture's, on the real SDK. */
  managementClients?: ManagementClients;
  /** Another Lambda than `createAwsHandler(config, dependencies)`, e.g. the real entry point. */
  lambda?: (setup: LambdaSetup) => WebSocketLambdaHandler | Promise<WebSocketLambdaHandler>;
  /** The emulator's route to the Lambda, for tests that watch or skip invocations. Default: `invoke(event)`. */
  route?: (
    event: WebSocketEvent,
    invoke: (event: WebSocketEvent) => Promise<WebSocketResult>,
  ) => Promise<WebSocketResult>;
  /** Emulator options (limits, faults). */
  server?: Omit<LocalServerOptions, 'port' | 'handler'>;
  /**
   * AWS-style connection ids recorded in `connectionIds`, so `open()` tells the id of each client. Off by
   * default: the emulator's own ids carry a marker of the server (see the emulator's `connectionIds`).
   */
  recordConnectionIds?: boolean;
  /** Keeps Powertools' log and EMF lines (written straight to stdout/stderr) out of the test output. */
  quiet?: boolean;
}

export interface LambdaOnEmulator extends AsyncDisposable, LambdaSetup {
  server: LocalServer;
  /** The Lambda the emulator invokes (call it directly for events the emulator does not make). */
  lambda: WebSocketLambdaHandler;
  /** Resolves once the invocations the emulator has made so far have ended. */
  settled(): Promise<void>;
  /** Closes `resource` (a client, a probe, another SDK client) before the emulator. */
  track<T extends Closable>(resource: T): T;
  /** API Gateway "misses" this connection's `$disconnect`: the event never reaches the Lambda. */
  missDisconnect(connectionId: string): void;
  /** The connection ids assigned so far, in order (with `recordConnectionIds`; empty otherwise). */
  connectionIds: readonly string[];
  /** A `ws` test client on the emulator (closed before it), and its connection id (with `recordConnectionIds`). */
  open(path?: string, headers?: Record<string, string>): Promise<{ client: TestClient; id: string }>;
  close(): Promise<void>;
}

/** The test configuration; `managementEndpoint` is the emulator's. */
export function testAwsConfig(tableName: string, managementEndpoint: string): AwsRuntimeConfig {
  return {
    tableName,
    managementEndpoint,
    sendConcurrency: 10,
    subscriberPageSize: 100,
    maxSubscriptions: 10,
    metricsNamespace: 'topicsocket-test',
  };
}

export async function startLambdaOnEmulator(options: LambdaOnEmulatorOptions): Promise<LambdaOnEmulator> {
  const closer = new Closer();
  try {
    if (options.quiet) {
      for (const stream of [process.stdout, process.stderr]) {
        const spy = vi.spyOn(stream, 'write').mockImplementation(() => true);
        closer.defer(() => spy.mockRestore());
      }
    }
    const table = await freshTable(options.table);
    closer.defer(() => table.client.destroy());
    const managementClients =
      options.managementClients ?? new ManagementClients((endpoint) => localManagementClient(endpoint));
    if (!options.managementClients) closer.defer(() => managementClients.destroy());

    const inFlight = new Set<Promise<WebSocketResult>>();
    const settled = async () => {
      await Promise.allSettled(inFlight);
    };
    closer.defer(settled);
    let lambda: WebSocketLambdaHandler | undefined;
    const missedDisconnects = new Set<string>();
    const invoke = (event: WebSocketEvent): Promise<WebSocketResult> => {
      const { routeKey, connectionId } = event.requestContext;
      if (routeKey === '$disconnect' && missedDisconnects.has(connectionId)) {
        return Promise.resolve({ statusCode: 200 });
      }
      // No client can connect before startLocalServer returns its URL, and the Lambda is built right after.
      if (!lambda) throw new Error('the Lambda is invoked before it is built');
      const call = lambda(event, lambdaContext(event));
      inFlight.add(call);
      return call.finally(() => inFlight.delete(call));
    };
    const route = options.route;
    const recorded = recordedConnectionIds();
    const server = await startLocalServer({
      ...options.server,
      ...(options.recordConnectionIds ? { connectionIds: recorded.connectionIds } : {}),
      port: 0,
      handler: route ? (event) => route(event, invoke) : invoke,
    });
    closer.defer(() => server.close());
    const config = { ...testAwsConfig(table.tableName, server.managementEndpoint), ...options.config };
    const setup: LambdaSetup = {
      table,
      managementEndpoint: server.managementEndpoint,
      config,
      managementClients,
    };
    lambda = options.lambda
      ? await options.lambda(setup)
      : createAwsHandler(config, { dynamoDb: table.client, ...options.dependencies, managementClients });
    const close = () => closer.close();
    return {
      ...setup,
      server,
      lambda,
      settled,
      track: (resource) => closer.track(resource),
      missDisconnect: (connectionId) => missedDisconnects.add(connectionId),
      connectionIds: recorded.ids,
      open: async (path = '', headers = {}) => {
        const client = closer.track(await TestClient.open(`${server.url}${path}`, { headers }));
        return { client, id: recorded.ids[recorded.ids.length - 1] as string };
      },
      close,
      [Symbol.asyncDispose]: close,
    };
  } catch (error) {
    await closer.close();
    throw error;
  }
}
