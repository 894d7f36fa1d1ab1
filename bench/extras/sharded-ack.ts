/**
 * Ack time and time to last delivery, inline vs sharded fan-out, on the local code path: the broker, the
 * memory store, the in-process shard queue (20 workers, as the deployed maximum concurrency) and a gateway
 * that adds 20 ms per post with 50 posts in flight (as from Lambda to `@connections`, issue 12). Every
 * delivery is counted per receiver, so losses and duplicates are reported too. Counts and ratios carry over;
 * wall times are this machine's. Standalone (not part of `npm run bench`, which the aws-fanout benchmark
 * extends): `node --import tsx bench/extras/sharded-ack.ts [N ...]`.
 */
import { Broker } from '../../src/core/index.ts';
import { awsStyleId, InProcessFanoutQueue } from '../../src/runtimes/local/index.ts';
import { MemoryStore } from '../../src/stores/index.ts';
import { LedgerGateway } from '../../test/support/ledger-gateway.ts';

async function measure(subscribers: number, sharded: boolean) {
  const store = new MemoryStore();
  const gateway = new LedgerGateway();
  gateway.postLatencyMs = 20;
  const queue = new InProcessFanoutQueue({ concurrency: 20 });
  const broker = new Broker({ store, gateway, ...(sharded ? { sharding: { queue } } : {}) });
  const worker = broker.shardWorker();
  if (worker) queue.attach(worker);
  const ids: string[] = [];
  const expiresAt = Math.floor(Date.now() / 1000) + 3600;
  for (let i = 0; i < subscribers; i++) {
    const id = awsStyleId();
    ids.push(id);
    await store.putConnection({ connectionId: id, connectedAt: 0, expiresAt });
    await store.subscribe(id, 't', { expiresAt, maxSubscriptions: 5 });
  }
  const started = performance.now();
  const result = await broker.publish('t', 1);
  const ackMs = performance.now() - started;
  await queue.idle();
  const lastDeliveryMs = performance.now() - started;
  const tally = gateway.tally(ids, 1);
  await queue.close();
  return {
    subscribers,
    path: sharded ? 'sharded' : 'inline',
    ackMs: Math.round(ackMs),
    lastDeliveryMs: Math.round(lastDeliveryMs),
    shards: result.scheduled ?? 0,
    lost: tally.lost.length,
    duplicated: tally.duplicated,
  };
}

const sizes = process.argv
  .slice(2)
  .map(Number)
  .filter((n) => n > 0);
for (const subscribers of sizes.length ? sizes : [1000, 5000, 20000]) {
  for (const sharded of [false, true]) console.log(JSON.stringify(await measure(subscribers, sharded)));
}
