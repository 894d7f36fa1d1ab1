// Type-checked in a fresh consumer project by scripts/verify-packages.sh, once with `moduleResolution`
// `nodenext` and once with `bundler`: every entry point resolves to declarations, and the public types are
// usable without any of topicsocket's devDependencies installed.
import { createClient as createClientByPackage } from '@topicsocket/client';
import {
  ApiGatewayEmulator,
  type Broker,
  type LocalServer,
  MemoryStore,
  parseClientFrame,
  type Store,
  startLocalServer,
  type WebSocketEvent,
  type WebSocketResult,
} from 'topicsocket';
import {
  createAwsHandler,
  createConnectAuthorizer,
  createPublishHandler,
  loadAuthConfig,
  loadAwsRuntimeConfig,
  type WebSocketLambdaHandler,
} from 'topicsocket/aws';
import { createClient, isTopicsocketError, type Message, type TopicsocketClient } from 'topicsocket/client';
import { createDynamoDbClient, DynamoDbStore, ensureTable } from 'topicsocket/dynamodb';

interface Order {
  id: string;
  total: number;
}

export async function local(): Promise<number> {
  const store: Store = new MemoryStore();
  const server: LocalServer = await startLocalServer({ port: 0, store });
  const broker: Broker | undefined = server.broker;
  await broker?.publish('orders', { id: 'o-1', total: 3 });
  const client: TopicsocketClient = createClient({ url: server.url });
  const stop = client.subscribe<Order>('orders', (message: Message<Order>) => message.data.total.toFixed(2));
  await stop.ready.catch((error: unknown) => (isTopicsocketError(error) ? error.code : 'other'));
  await client.close();
  await server.close();
  const parsed = parseClientFrame('{"type":"ping"}');
  return parsed.ok ? 1 : 0;
}

export const sameFactory: typeof createClient = createClientByPackage;

export function emulator(handler: (event: WebSocketEvent) => Promise<WebSocketResult>): ApiGatewayEmulator {
  return new ApiGatewayEmulator({ handler });
}

export function lambda(env: Record<string, string | undefined>): WebSocketLambdaHandler {
  const config = loadAwsRuntimeConfig(env);
  createPublishHandler(config, loadAuthConfig(env, 'required'), 'keys');
  createConnectAuthorizer(loadAuthConfig(env, 'required'));
  return createAwsHandler(config, { auth: loadAuthConfig(env, 'required') });
}

export async function dynamodb(endpoint: string): Promise<DynamoDbStore> {
  const client = createDynamoDbClient({ endpoint });
  await ensureTable(client, 'topicsocket');
  return new DynamoDbStore({ client, tableName: 'topicsocket' });
}
