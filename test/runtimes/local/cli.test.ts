import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { killCliProcesses, spawnCli, startDevCli } from '../../support/cli-process.ts';
import { TestClient } from './client.ts';

describe('topicsocket CLI', () => {
  afterAll(killCliProcesses);

  it('runs `dev`, prints its URLs, and on SIGTERM closes clients with 1001 and exits 0', async () => {
    const { cli, url } = await startDevCli(['--port', '0'], { env: { LOG_LEVEL: 'info' } });
    // The seed article's client connects to http://0.0.0.0:PORT; that reaches the default 127.0.0.1 bind.
    const client = await TestClient.open(url.replace('ws://127.0.0.1', 'http://0.0.0.0'));
    expect(await client.request({ type: 'subscribe', topic: 'general', id: 1 })).toEqual({
      type: 'subscribed',
      topic: 'general',
      id: 1,
      epoch: expect.any(String),
      offset: 0,
    });
    cli.child.kill('SIGTERM');
    expect(await client.closed).toEqual({ code: 1001, reason: 'Going away' });
    expect(await cli.exitCode()).toBe(0);
  });

  it("works through the package's bin and the compiled CLI it loads when installed (`npm run build`), and reports usage errors with exit code 2", async () => {
    const manifest = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
      bin: { topicsocket: string };
    };
    for (const entry of [manifest.bin.topicsocket, 'dist/cli/main.js']) {
      const help = spawnCli(['--help'], { entry, tsx: false });
      const printed = help.waitFor(/Commands:[\s\S]*dev/);
      expect(await help.exitCode()).toBe(0);
      await printed;
    }

    const bad = spawnCli(['dev', '--port', 'seventy'], { env: { LOG_LEVEL: 'info' } });
    expect(await bad.exitCode()).toBe(2);
    expect(bad.stderr()).toContain('invalid port "seventy" from --port');
  });

  it('says in one line to build first when the bin has no compiled CLI next to it, and exits 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'topicsocket-bin-'));
    try {
      mkdirSync(join(dir, 'bin'));
      copyFileSync(
        new URL('../../../bin/topicsocket.js', import.meta.url),
        join(dir, 'bin', 'topicsocket.js'),
      );
      const child = spawnCli(['--help'], { entry: join(dir, 'bin', 'topicsocket.js'), tsx: false });
      expect(await child.exitCode()).toBe(1);
      expect(child.stderr()).toBe(
        'topicsocket: the compiled CLI is missing (dist/cli/main.js): run `npm run build` first, or `npm start` in a clone\n',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
