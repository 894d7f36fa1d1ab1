import { fileURLToPath } from 'node:url';
import { runCliInProcess } from '../../support/cli-in-process.ts';

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
  const run = runCliInProcess(['emulate', '--port', '0', '--log-level', 'warn', ...args]);
  const [, url] = await Promise.race([
    run.printed(/WebSocket URL\s+(\S+)/),
    run.exitCode.then((code) => {
      throw new Error(`emulate exited with ${code}: ${run.lines.join('\n')}`);
    }),
  ]);
  const endpoint = (/@connections API\s+(\S+)/.exec(run.lines.join('\n')) as RegExpExecArray)[1] as string;
  return {
    url: url as string,
    endpoint,
    lines: run.lines,
    printed: async (pattern) => (await run.printed(pattern)).input as string,
    stop: run.close,
  };
}

/** Runs `topicsocket emulate` expecting it to fail at once; resolves with its exit code and output. */
export async function emulateFails(args: string[]): Promise<{ code: number; lines: string[] }> {
  const run = runCliInProcess(['emulate', '--port', '0', ...args]);
  return { code: await run.exitCode, lines: run.lines };
}
