/**
 * A documented shell command run as written (through `sh -c`, in its own process group, so `npm run`
 * and everything it starts are stopped together), with its output captured for waits and failures.
 */
import { type ChildProcess, spawn } from 'node:child_process';

export interface ShellCommand {
  /** Everything printed so far, stdout and stderr interleaved. */
  output(): string;
  /** Resolves with the first match of `pattern` in the output; rejects if the command exits first or on timeout. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** The exit code (null when ended by a signal). */
  exited: Promise<number | null>;
  /** Sends `signal` to the whole group (default SIGINT, a Ctrl-C), SIGKILL after 10 s; resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** `env`: the whole environment of the command (default: this process's). */
export function runShell(command: string, options: { cwd: string; env?: NodeJS.ProcessEnv }): ShellCommand {
  const child: ChildProcess = spawn('sh', ['-c', command], {
    cwd: options.cwd,
    env: options.env ?? process.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    for (const listener of listeners) listener();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  let done = false;
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      done = true;
      for (const listener of listeners) listener();
      resolve(code);
    }),
  );
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, signal);
    } catch {} // already gone
  };
  return {
    output: () => output,
    exited,
    waitFor(pattern, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => finish(new Error(`no ${pattern} within ${timeoutMs} ms:\n${output}`)),
          timeoutMs,
        );
        const check = () => {
          const match = output.match(pattern);
          if (match) finish(undefined, match);
          else if (done) finish(new Error(`\`${command}\` exited before printing ${pattern}:\n${output}`));
        };
        const finish = (error?: Error, match?: RegExpMatchArray) => {
          clearTimeout(timer);
          listeners.delete(check);
          if (error) reject(error);
          else resolve(match as RegExpMatchArray);
        };
        listeners.add(check);
        check();
      });
    },
    async stop(signal = 'SIGINT') {
      if (!done) {
        signalGroup(signal);
        const timer = setTimeout(() => signalGroup('SIGKILL'), 10_000);
        const code = await exited;
        clearTimeout(timer);
        // npm and sh may exit before what they started: make sure nothing of the group is left.
        signalGroup('SIGKILL');
        return code;
      }
      signalGroup('SIGKILL');
      return exited;
    },
  };
}

/** The environment of a fresh shell: none of the developer's TOPICSOCKET_* settings or PORT, plus `extra`. */
export function freshShellEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('TOPICSOCKET_') && name !== 'PORT'),
  );
  return { ...clean, ...extra };
}
