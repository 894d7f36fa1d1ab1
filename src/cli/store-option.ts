import type { ParseArgsConfig } from 'node:util';
import type { Store } from '../core/index.ts';
import { MemoryStore } from '../stores/index.ts';
import { UsageError } from './io.ts';

/**
 * `--store KIND` and the options that go with each kind. A new store is added here: its options in
 * `storeArgs`, its factory in `storeFactories`; commands that take a store need no change.
 */
export const storeArgs = {
  store: { type: 'string', default: 'memory' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

export const storeUsage = '  --store KIND        where connections and subscriptions live: memory (default)';

export type StoreArgValues = Record<string, string | boolean | undefined>;

export interface StoreChoice {
  store: Store;
  /** Shown at startup, e.g. `memory`. */
  description: string;
}

type StoreFactory = (values: StoreArgValues) => Promise<StoreChoice>;

const storeFactories: Record<string, StoreFactory> = {
  memory: async () => ({ store: new MemoryStore(), description: 'memory (lost on exit)' }),
};

export async function createStore(values: StoreArgValues): Promise<StoreChoice> {
  const kind = String(values.store ?? 'memory');
  const factory = storeFactories[kind];
  if (!factory) {
    throw new UsageError(`unknown store "${kind}" (known: ${Object.keys(storeFactories).join(', ')})`);
  }
  return factory(values);
}
