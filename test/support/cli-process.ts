/**
 * "The CLI as a child process" for tests: `node --import tsx src/cli/main.ts ARGS` from the repository root,
 * its stdout and stderr collected from the start, awaited by pattern (never by sleeping). Each test stops
 * what it starts; `killCliProcesses()` (in afterAll) SIGKILLs whatever a failed test left running.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const started: ChildProcess[] = [];

export interface CliOptions {
  /** Added to the test's environment (LOG_LEVEL is `warn` unless given here). */
  env?: NodeJS.ProcessEnv;
  /** Variables taken out of the test's environment, e.g. an opt-out the CLI must not rely on. */
  withoutEnv?: string[];
  /** The script run instead of `src/cli/main.ts` (an absolute path, or one relative to the repository). */
  entry?: string;
  /** Load TypeScript through tsx (default); off for compiled JavaScript such as the package's bin. */
  tsx?: boolean;
}

export interface CliProcess {
  readonly child: ChildProcess;
  /** stdout and stderr so far, interleaved as they arrived. */
  output(): string;
  /** stderr so far. */
  stderr(): string;
  /** Resolves with the first match of `pattern` in the output so far or to come; rejects if it exits first. */
  waitFor(pattern: RegExp): Promise<RegExpMatchArray>;
  /** Resolves with the exit code once it exited (null when killed by a signal). */
  exitCode(): Promise<number | null>;
}

export function spawnCli(args: string[], options: CliOptions = {}): CliProcess {
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'warn', ...options.env };
  for (const name of options.withoutEnv ?? []) delete env[name];
  const node = options.tsx === false ? [] : ['--import', 'tsx'];
  const child = spawn(process.execPath, [...node, options.entry ?? 'src/cli/main.ts', ...args], {
    cwd: repoRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  let output = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += String(chunk);
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += String(chunk);
    stderr += String(chunk);
  });
  const exited = once(child, 'exit') as Promise<[number | null]>;
  // 'close' comes after the last output: a line printed just before exiting is still matched.
  const closed = once(child, 'close');
  return {
    child,
    output: () => output,
    stderr: () => stderr,
    waitFor: (pattern) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const match = output.match(pattern);
          if (!match) return;
          child.stdout?.off('data', check);
          child.stderr?.off('data', check);
          resolve(match);
        };
        // Listeners run in order: the collectors above have appended the chunk before `check` reads it.
        child.stdout?.on('data', check);
        child.stderr?.on('data', check);
        void closed.then(() =>
          reject(new Error(`exited with ${child.exitCode ?? child.signalCode} before ${pattern}: ${output}`)),
        );
        check();
      }),
    exitCode: async () => (child.exitCode !== null ? child.exitCode : (await exited)[0]),
  };
}

/** `topicsocket dev` started with `args`; resolves once it printed all its startup lines. */
export async function startDevCli(
  args: string[],
  options: CliOptions = {},
): Promise<{ cli: CliProcess; url: string }> {
  const cli = spawnCli(['dev', ...args], options);
  const [, url] = (await cli.waitFor(/WebSocket URL\s+(ws:\/\/127\.0\.0\.1:\d+)/)) as RegExpMatchArray;
  await cli.waitFor(/Press Ctrl-C to stop\./);
  return { cli, url: url as string };
}

/** The flags that put a command's store on DynamoDB Local, in `table`. */
export function dynamoDbStoreFlags(endpoint: string, table: string): string[] {
  return ['--store', 'dynamodb', '--dynamodb-endpoint', endpoint, '--table', table];
}

/** `dev` flags for a server on DynamoDB Local without the console (the crash-and-restart test and soak). */
export function dynamoDbDevFlags(port: number, endpoint: string, table: string): string[] {
  return ['--port', String(port), '--no-console', ...dynamoDbStoreFlags(endpoint, table)];
}

/** SIGKILLs every CLI process still running (afterAll: a failed test must not leave one behind). */
export function killCliProcesses(): void {
  for (const child of started)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}
