/**
 * Child process of the post-CPU micro-benchmark: N PostToConnection calls to the stand-in endpoint, one way
 * of posting per run, and the CPU this process spent per post (process.cpuUsage, user + system).
 * Args (JSON in argv[2]): { kind, endpoint, posts, concurrency }.
 */
import { mapLimit } from '../../src/core/util/map-limit.ts';
import { createPoster, type PostPath } from './post-paths.ts';

interface Args {
  kind: PostPath;
  endpoint: string;
  posts: number;
  concurrency: number;
}

const args = JSON.parse(process.argv[2] ?? '{}') as Args;
const poster = createPoster(args.kind, args.endpoint, args.concurrency);
const data = new TextEncoder().encode(
  JSON.stringify({ type: 'message', topic: 'bench', data: 'x'.repeat(64), offset: 1, epoch: 'AAAAAAAA' }),
);
const ids = (n: number) => Array.from({ length: n }, (_, i) => `c${String(i).padStart(10, '0')}=`);

async function round(n: number): Promise<void> {
  await mapLimit(ids(n), args.concurrency, (id) => poster.post(id, data));
}

await round(Math.min(2000, args.posts)); // warm-up: sockets opened, code paths JIT-compiled
const cpu = process.cpuUsage();
const started = process.hrtime.bigint();
await round(args.posts);
const used = process.cpuUsage(cpu);
const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
poster.destroy();
process.send?.({ cpuMsPerPost: (used.user + used.system) / 1000 / args.posts, wallMs });
