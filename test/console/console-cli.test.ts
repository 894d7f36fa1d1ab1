/** `topicsocket dev` serves the console by default and prints its URL; `--no-console` turns it off. */
import { describe, expect, it } from 'vitest';
import { cliRunsPerTest } from '../support/cli-in-process.ts';

const HTML = { accept: 'text/html' };

const run = cliRunsPerTest();

/** Runs `topicsocket dev` in process (stopped after the test), with its HTTP base URL once printed. */
function runDev(args: string[]) {
  const dev = run(['dev', '--port', '0', '--log-level', 'error', ...args]);
  return {
    ...dev,
    base: dev.printed(/@connections API\s+(http:\/\/\S+)/).then((match) => match[1] as string),
  };
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
