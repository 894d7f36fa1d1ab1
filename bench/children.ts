import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Every child the runner started, so all of them are killed at the end, on failure, and on Ctrl-C. */
const alive = new Set<ChildProcess>();

/** Other things to end with the runner (DynamoDB Local's JVM); each must act synchronously. */
const cleanups = new Set<() => void>();

export function onCleanup(cleanup: () => void): () => void {
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}

export function killAll(): void {
  for (const child of alive) child.kill('SIGKILL');
  alive.clear();
  for (const cleanup of cleanups) cleanup();
  cleanups.clear();
}

process.once('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killAll();
    process.exit(130);
  });
}

/** Forks a TypeScript entry under tsx with IPC; `--expose-gc` lets the runner ask for a GC before reading RSS. */
export function forkBench(
  relativeToBench: string,
  env: NodeJS.ProcessEnv = {},
  execArgv: string[] = [],
): ChildProcess {
  const file = fileURLToPath(new URL(relativeToBench, import.meta.url));
  const child = fork(file, [], {
    execArgv: ['--import', 'tsx', '--expose-gc', ...execArgv],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env },
  });
  alive.add(child);
  child.once('exit', () => alive.delete(child));
  return child;
}

/** SIGTERM first, so a profiled child can write its profile on the way out; SIGKILL if it lingers. */
export function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => {
      clearTimeout(force);
      alive.delete(child);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Resolves with the child's first message that satisfies `accept`; rejects if it exits first or time runs out. */
export function nextMessage<T>(
  child: ChildProcess,
  accept: (message: unknown) => message is T,
  timeoutMs: number,
  what: string,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => finish(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)),
      timeoutMs,
    );
    const onMessage = (message: unknown) => {
      if (accept(message)) finish(undefined, message);
    };
    const onExit = (code: number | null, signal: string | null) =>
      finish(new Error(`child exited (code ${code}, signal ${signal}) while waiting for ${what}`));
    const finish = (error?: Error, message?: T) => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve(message as T);
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}
