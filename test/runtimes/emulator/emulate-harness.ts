import { fileURLToPath } from 'node:url';
import type { CliIo } from '../../../src/cli/io.ts';
import { runCli } from '../../../src/cli/run.ts';

export const handlersDir = fileURLToPath(new URL('./handlers/', import.meta.url));

/** `topicsocket emulate` in process: resolves once it printed its WebSocket URL; `stop()` ends it. */
export async function startEmulate(args: string[]): Promise<{
  url: string;
  endpoint: string;
  lines: string[];
  /** Resolves with the first line (printed from now on or already) matching `pattern`. */
  printed(pattern: RegExp): Promise<string>;
  stop(): Promise<number>;
}> {
  const lines: string[] = [];
  const watchers: Array<{ pattern: RegExp; resolve: (line: string) => void }> = [];
  let stopSignal: (signal: string) => void = () => {};
  const record = (line: string) => {
    lines.push(line);
    for (const watcher of [...watchers]) {
      if (watcher.pattern.test(line)) {
        watchers.splice(watchers.indexOf(watcher), 1);
        watcher.resolve(line);
      }
    }
  };
  const printed = (pattern: RegExp) => {
    const seen = lines.find((line) => pattern.test(line));
    if (seen) return Promise.resolve(seen);
    return new Promise<string>((resolve) => watchers.push({ pattern, resolve }));
  };
  const io: CliIo = {
    out: record,
    err: record,
    env: {},
    untilStopped: () =>
      new Promise((resolve) => {
        stopSignal = resolve;
      }),
  };
  const running = runCli(['emulate', '--port', '0', '--log-level', 'warn', ...args], io);
  const ready = await Promise.race([
    printed(/WebSocket URL\s+(\S+)/),
    running.then((code) => {
      throw new Error(`emulate exited with ${code}: ${lines.join('\n')}`);
    }),
  ]);
  const url = (/WebSocket URL\s+(\S+)/.exec(ready) as RegExpExecArray)[1] as string;
  const endpoint = (/@connections API\s+(\S+)/.exec(lines.join('\n')) as RegExpExecArray)[1] as string;
  return {
    url,
    endpoint,
    lines,
    printed,
    stop: async () => {
      stopSignal('SIGTERM');
      return running;
    },
  };
}

/** Runs `topicsocket emulate` expecting it to fail at once; resolves with its exit code and output. */
export async function emulateFails(args: string[]): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = [];
  const io: CliIo = {
    out: (line) => lines.push(line),
    err: (line) => lines.push(line),
    env: {},
    untilStopped: () => new Promise(() => {}),
  };
  const code = await runCli(['emulate', '--port', '0', ...args], io);
  return { code, lines };
}
