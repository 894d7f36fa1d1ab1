import type { IdleResult, IdleSpec, ServerKind } from '../ipc.ts';
import { type BenchClient, connectClient } from './clients.ts';
import { forEachLimit, type Mark } from './pubsub.ts';

/** Opens many connections, each subscribed to one topic, and lets the runner read the server's RSS before and after. */
export async function runIdle(
  server: ServerKind,
  url: string,
  spec: IdleSpec,
  mark: Mark,
): Promise<IdleResult> {
  await mark('baseline', { gc: true });
  const started = performance.now();
  const clients: BenchClient[] = [];
  const indexes = Array.from({ length: spec.connections }, (_, i) => i);
  await forEachLimit(indexes, 100, async (i) => {
    const client = await connectClient(server, url, () => {});
    clients.push(client);
    await client.subscribe([`idle${i % spec.topics}`]);
  });
  const connectMs = performance.now() - started;
  await new Promise((resolve) => setTimeout(resolve, spec.settleMs));
  await mark('loaded', { gc: true });
  for (const client of clients) client.close();
  return { kind: 'idle', connections: spec.connections, connectMs };
}
