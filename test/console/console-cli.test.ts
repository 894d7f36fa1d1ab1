/** `topicsocket dev` serves the console by default and prints its URL; `--no-console` turns it off. */
import { describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/io.ts';
import { runCli } from '../../src/cli/run.ts';

const HTML = { accept: 'text/html' };

/** Runs `topicsocket dev` in process until `stop()`, and resolves with its HTTP base URL once printed. */
function runDev(args: string[]) {
  const lines: string[] = [];
  let stop: (signal: string) => void = () => {};
  let onBase: (base: string) => void = () => {};
  const base = new Promise<string>((resolve) => {
    onBase = resolve;
  });
  const record = (line: string) => {
    lines.push(line);
    const match = /@connections API\s+(http:\/\/\S+)/.exec(line);
    if (match) onBase(match[1] as string);
  };
  const io: CliIo = {
    out: record,
    err: record,
    env: {},
    untilStopped: () =>
      new Promise((resolve) => {
        stop = resolve;
      }),
  };
  const exitCode = runCli(['dev', '--port', '0', '--log-level', 'error', ...args], io);
  return { base, lines, exitCode, stop: (signal: string) => stop(signal) };
}

describe('topicsocket dev and the web console', () => {
  it('serves the console and /stats by default, and prints where', async () => {
    const dev = runDev([]);
    const base = await dev.base;
    try {
      expect(dev.lines.join('\n')).toContain(`web console          ${base}/`);
      expect((await fetch(`${base}/`, { headers: HTML })).status).toBe(200);
      // npm start is open dev mode: the figures need no credentials.
      expect((await fetch(`${base}/stats`)).status).toBe(200);
    } finally {
      dev.stop('SIGINT');
      expect(await dev.exitCode).toBe(0);
    }
  });

  it('--no-console serves neither', async () => {
    const dev = runDev(['--no-console']);
    const base = await dev.base;
    try {
      expect(dev.lines.join('\n')).not.toContain('web console');
      expect((await fetch(`${base}/`, { headers: HTML })).status).toBe(426);
      expect((await fetch(`${base}/stats`)).status).toBe(426);
    } finally {
      dev.stop('SIGINT');
      expect(await dev.exitCode).toBe(0);
    }
  });
});
