import type { ParseArgsConfig } from 'node:util';
import { parseHttpUrl, type Store } from '../core/index.ts';
import { MemoryStore } from '../stores/index.ts';
import { reachFailure } from './failures.ts';
import { UsageError } from './io.ts';

/**
 * `--store KIND` and the options that go with each kind. A new store is added here: its options in
 * `storeArgs`, its factory in `storeFactories`; commands that take a store need no change.
 */
export const storeArgs = {
  store: { type: 'string', default: 'memory' },
  'dynamodb-endpoint': { type: 'string' },
  table: { type: 'string', default: 'topicsocket' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

export const storeUsage = [
  '  --store KIND        where connections and subscriptions live: memory (default) or dynamodb',
  '  --dynamodb-endpoint URL  with --store dynamodb: DynamoDB endpoint, e.g. DynamoDB Local',
  '  --table NAME        with --store dynamodb: table name (default topicsocket; created if missing)',
].join('\n');

export type StoreArgValues = Record<string, string | boolean | undefined>;

export interface StoreChoice {
  store: Store;
  /** Shown at startup, e.g. `memory`. */
  description: string;
}

type StoreFactory = (values: StoreArgValues) => Promise<StoreChoice>;

const storeFactories: Record<string, StoreFactory> = {
  memory: async () => ({ store: new MemoryStore(), description: 'memory (lost on exit)' }),
  dynamodb: async (values) => {
    const endpoint = values['dynamodb-endpoint'];
    const tableName = String(values.table ?? 'topicsocket');
    // Required: the local server must never reach a real AWS account by accident.
    if (typeof endpoint !== 'string' || !endpoint) {
      throw new UsageError('--store dynamodb needs --dynamodb-endpoint URL (e.g. http://127.0.0.1:8000)');
    }
    const url = parseHttpUrl(endpoint);
    if ('problem' in url)
      throw new UsageError(`--dynamodb-endpoint ${url.problem} (e.g. http://127.0.0.1:8000)`);
    // The SDK warns (9 lines, once per process) that its releases from 2027 need Node 22: advice for this
    // package's maintainers (package.json engines), not something a user of `dev` can act on. An explicit
    // setting of the variable is left alone.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    // Loaded on demand so the memory store starts without the AWS SDK.
    const { createDynamoDbClient, DynamoDbStore, ensureTable } = await import('../stores/dynamodb/index.ts');
    const client = createDynamoDbClient({ endpoint });
    try {
      await ensureTable(client, tableName);
    } catch (error) {
      client.destroy();
      throw (
        reachFailure(
          error,
          'the DynamoDB endpoint',
          endpoint,
          'start DynamoDB Local there (docs/local-runtime.md says how), or fix --dynamodb-endpoint',
        ) ?? error
      );
    }
    return {
      store: new DynamoDbStore({ client, tableName, closeClient: true }),
      description: `dynamodb (table "${tableName}" at ${endpoint})`,
    };
  },
};

export async function createStore(values: StoreArgValues): Promise<StoreChoice> {
  const kind = String(values.store ?? 'memory');
  const factory = storeFactories[kind];
  if (!factory) {
    throw new UsageError(`unknown store "${kind}" (known: ${Object.keys(storeFactories).join(', ')})`);
  }
  return factory(values);
}
