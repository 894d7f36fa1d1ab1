import type { Store } from '../../../src/core/index.ts';
import {
  type LocalServer,
  type LocalServerOptions,
  startLocalServer,
} from '../../../src/runtimes/local/index.ts';
import { MemoryStore } from '../../../src/stores/index.ts';

export interface TestServer {
  server: LocalServer;
  store: MemoryStore;
}

/** The real local emulator on an ephemeral (or given) port, with a store the test can inspect. */
export async function startTestServer(options: LocalServerOptions = {}): Promise<TestServer> {
  const store = new MemoryStore();
  const server = await startLocalServer({ port: 0, store, ...options });
  return { server, store };
}

/** Connection ids subscribed to `topic`, read from the server's store. */
export async function subscribersOf(store: Store, topic: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const page of store.subscribers(topic)) ids.push(...page);
  return ids;
}
