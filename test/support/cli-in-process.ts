/**
 * "The CLI in process": `runCli` (what bin/topicsocket.js runs) with a recording `CliIo` instead of the
 * terminal, so a test reads what a user would see, awaits a line, and sends Ctrl-C. A run started with
 * `runCliInProcess` is stopped by `close()` (or `await using`); `cliRunsPerTest()` closes every run a test
 * started after it, passed or failed, so no dev server outlives its test.
 */
import { afterEach } from 'vitest';
import type { CliIo } from '../../src/cli/io.ts';
import { runCli } from '../../src/cli/run.ts';

export interface RecordingIo {
  io: CliIo;
  out: string[];
  err: string[];
  /** stdout and stderr lines, in the order printed. */
  lines: string[];
  /** Resolves with the first line (printed before or after the call) that matches. */
  printed(match: RegExp): Promise<RegExpMatchArray>;
  /** Ends `untilStopped()`, as the signal would. */
  stop(signal?: string): void;
}

/** A CliIo that records stdout and stderr lines, can await a line, and stops the command on demand. */
export function recordingIo(env: Record<string, string> = {}): RecordingIo {
  const out: string[] = [];
  const err: string[] = [];
  const lines: string[] = [];
  let stop: (signal: string) => void = () => {};
  const stopped = new Promise<string>((resolve) => {
    stop = resolve;
  });
  const waiters: Array<{ match: RegExp; resolve: (match: RegExpMatchArray) => void }> = [];
  const record = (into: string[]) => (line: string) => {
    into.push(line);
    lines.push(line);
    for (const waiter of waiters) {
      const match = line.match(waiter.match);
      if (match) waiter.resolve(match);
    }
  };
  const io: CliIo = { out: record(out), err: record(err), env, untilStopped: () => stopped };
  const printed = (match: RegExp) =>
    new Promise<RegExpMatchArray>((resolve) => {
      const found = lines.map((line) => line.match(match)).find(Boolean);
      if (found) resolve(found);
      else waiters.push({ match, resolve });
    });
  return { io, out, err, lines, stop: (signal = 'SIGINT') => stop(signal), printed };
}

export interface CliRun extends RecordingIo, AsyncDisposable {
  /** The command's exit code, once it returns. */
  exitCode: Promise<number>;
  /** Stops the command (SIGTERM) if it still runs, and resolves with its exit code. */
  close(): Promise<number>;
}

/** Runs `topicsocket <argv>` in process. */
export function runCliInProcess(argv: string[], env: Record<string, string> = {}): CliRun {
  const recording = recordingIo(env);
  const exitCode = runCli(argv, recording.io);
  const close = () => {
    recording.stop('SIGTERM');
    return exitCode;
  };
  return {
    ...recording,
    exitCode,
    close,
    [Symbol.asyncDispose]: async () => {
      await close();
    },
  };
}

/** `runCliInProcess` for one test: whatever the test started is closed after it. */
export function cliRunsPerTest(): (argv: string[], env?: Record<string, string>) => CliRun {
  const runs: CliRun[] = [];
  afterEach(async () => {
    await Promise.allSettled(runs.splice(0).map((run) => run.close()));
  });
  return (argv, env) => {
    const run = runCliInProcess(argv, env);
    runs.push(run);
    return run;
  };
}

/** A TCP port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
