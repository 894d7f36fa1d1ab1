import type { ChildProcess } from 'node:child_process';
import { forkBench, nextMessage, stop } from './children.ts';
import type {
  LoadCommand,
  LoadEvent,
  LoadResult,
  LoadSpec,
  ServerCommand,
  ServerEvent,
  ServerKind,
} from './ipc.ts';
import { type ProcSample, sampleProcess } from './proc-stats.ts';

const SERVER_ENTRIES: Record<ServerKind, string> = {
  'raw-ws': './servers/raw-ws.ts',
  socketio: './servers/socketio.ts',
  topicsocket: './servers/topicsocket.ts',
  'topicsocket-dynamodb': './servers/topicsocket-dynamodb.ts',
  'topicsocket-hooks': './servers/topicsocket-hooks.ts',
};

/** Everything one run of one scenario against one server produced. */
export interface RunRecord {
  server: ServerKind;
  result: LoadResult;
  /** Server and load-generator samples taken when the load generator marked a phase. */
  marks: Record<string, { server: ProcSample; loadgen: ProcSample; counters: Record<string, number> }>;
  /** Server RSS every `RSS_SAMPLE_MS` from start to end of the run (`atMs` on the same clock as the marks). */
  rssSeries: Array<{ atMs: number; rssBytes: number }>;
  serverPeakRssBytes: number;
}

const RSS_SAMPLE_MS = 250;

const isServerEvent =
  <T extends ServerEvent['type']>(type: T) =>
  (message: unknown): message is Extract<ServerEvent, { type: T }> =>
    typeof message === 'object' && message !== null && (message as { type?: unknown }).type === type;

/**
 * Starts the server in its own process and the load generator in another, runs one spec, samples the server
 * from /proc at each phase mark, and kills both whatever happens.
 */
export async function runOne(
  server: ServerKind,
  spec: LoadSpec,
  timeoutMs: number,
  serverEnv: NodeJS.ProcessEnv = {},
): Promise<RunRecord> {
  const children: ChildProcess[] = [];
  const rssSeries: RunRecord['rssSeries'] = [];
  let sampler: NodeJS.Timeout | undefined;
  try {
    // BENCH_CPU_PROF=<dir> profiles the servers (node --cpu-prof), to see where a delivery's time goes.
    const profileDir = process.env.BENCH_CPU_PROF;
    const serverProcess = forkBench(
      SERVER_ENTRIES[server],
      serverEnv,
      profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}/${server}`] : [],
    );
    children.push(serverProcess);
    const ready = await nextMessage(serverProcess, isServerEvent('ready'), 30_000, `${server} to start`);
    const serverPid = serverProcess.pid!;
    sampler = setInterval(() => {
      try {
        rssSeries.push({ atMs: performance.now(), rssBytes: sampleProcess(serverPid).rssBytes });
      } catch {
        // The server is gone; the run fails on its own.
      }
    }, RSS_SAMPLE_MS);

    const loadgen = forkBench('./loadgen/main.ts');
    children.push(loadgen);
    const marks: RunRecord['marks'] = {};
    let failMark: (error: unknown) => void = () => {};
    const markFailed = new Promise<never>((_, reject) => {
      failMark = reject;
    });
    markFailed.catch(() => undefined); // raced below; only a failure that ends the run matters
    loadgen.on('message', (event: LoadEvent) => {
      if (event.type !== 'mark') return;
      (async () => {
        if (event.gc) {
          serverProcess.send({ type: 'gc' } satisfies ServerCommand);
          await nextMessage(serverProcess, isServerEvent('gc-done'), 60_000, 'server GC');
        }
        const serverSample = sampleProcess(serverPid);
        const loadgenSample = sampleProcess(loadgen.pid!);
        serverProcess.send({ type: 'stats' } satisfies ServerCommand);
        const { counters } = await nextMessage(
          serverProcess,
          isServerEvent('stats'),
          60_000,
          'server counters',
        );
        marks[event.name] = { server: serverSample, loadgen: loadgenSample, counters };
        loadgen.send({ type: 'marked', name: event.name } satisfies LoadCommand);
      })().catch(failMark);
    });
    const outcome = nextMessage(
      loadgen,
      (message: unknown): message is Extract<LoadEvent, { type: 'result' | 'failed' }> =>
        typeof message === 'object' &&
        message !== null &&
        ['result', 'failed'].includes(String((message as { type?: unknown }).type)),
      timeoutMs,
      `${server} run`,
    );
    const serverDied = new Promise<never>((_, reject) =>
      serverProcess.once('exit', (code, signal) =>
        reject(new Error(`${server} server exited during the run (code ${code}, signal ${signal})`)),
      ),
    );
    serverDied.catch(() => undefined); // stopping the server in `finally` is not a failure
    loadgen.send({ type: 'run', server, url: `ws://127.0.0.1:${ready.port}`, spec } satisfies LoadCommand);
    const event = await Promise.race([outcome, serverDied, markFailed]);
    if (event.type === 'failed') throw new Error(`load generator failed against ${server}: ${event.error}`);
    return {
      server,
      result: event.result,
      marks,
      rssSeries,
      serverPeakRssBytes: Math.max(0, ...rssSeries.map((sample) => sample.rssBytes)),
    };
  } finally {
    if (sampler) clearInterval(sampler);
    await Promise.all(children.map(stop));
  }
}
