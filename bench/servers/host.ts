import { writeHeapSnapshot } from 'node:v8';
import type { ServerCommand, ServerEvent } from '../ipc.ts';

/** A benchmarked server as the runner sees it: something listening on a port that can be closed. */
export interface RunningServer {
  port: number;
  close(): Promise<void>;
  /** Counters the runner reads at each phase mark. */
  counters?(): Record<string, number>;
}

function send(event: ServerEvent): void {
  process.send?.(event);
}

/**
 * Runs one benchmarked server in this child process: reports its port, runs a GC when the runner asks (so
 * RSS figures do not count garbage), and exits when the runner goes away, so no server outlives a run.
 */
export function hostServer(start: () => Promise<RunningServer>): void {
  let running: RunningServer | undefined;
  process.on('disconnect', () => process.exit(0));
  // A clean exit writes the CPU profile when the runner profiles servers.
  process.on('SIGTERM', () => process.exit(0));
  process.on('message', (message: ServerCommand) => {
    if (message.type === 'gc') {
      globalThis.gc?.();
      if (process.env.BENCH_MEMORY_DEBUG) console.error(JSON.stringify(process.memoryUsage()));
      if (process.env.BENCH_HEAP_DIR)
        writeHeapSnapshot(`${process.env.BENCH_HEAP_DIR}/${Date.now()}.heapsnapshot`);
      send({ type: 'gc-done' });
    } else if (message.type === 'stats') {
      send({ type: 'stats', counters: running?.counters?.() ?? {} });
    }
  });
  start().then(
    (server) => {
      running = server;
      send({ type: 'ready', port: server.port });
    },
    (error: unknown) => {
      console.error('bench server failed to start:', error);
      process.exit(1);
    },
  );
}
