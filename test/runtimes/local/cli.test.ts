import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TestClient } from './client.ts';

const children: ChildProcess[] = [];

function spawnCli(args: string[], entry = 'src/cli/main.ts'): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], {
    cwd: new URL('../../..', import.meta.url),
    env: { ...process.env, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  return child;
}

/** Collects a child's stdout and resolves once a line matches. */
function waitForOutput(child: ChildProcess, pattern: RegExp): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += String(chunk);
      const match = output.match(pattern);
      if (match) {
        child.stdout?.off('data', onData);
        resolve(match);
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) =>
      reject(new Error(`exited with ${code} before printing ${pattern}: ${output}`)),
    );
  });
}

async function exitCode(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const [code] = (await once(child, 'exit')) as [number | null];
  return code;
}

describe('topicsocket CLI', () => {
  afterAll(() => {
    for (const child of children)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  it('runs `dev`, prints its URLs, and on SIGTERM closes clients with 1001 and exits 0', async () => {
    const child = spawnCli(['dev', '--port', '0']);
    const [, url] = (await waitForOutput(
      child,
      /WebSocket URL\s+(ws:\/\/127\.0\.0\.1:\d+)/,
    )) as RegExpMatchArray;
    // The seed article's client connects to http://0.0.0.0:PORT; that reaches the default 127.0.0.1 bind.
    const client = await TestClient.open((url as string).replace('ws://127.0.0.1', 'http://0.0.0.0'));
    expect(await client.request({ type: 'subscribe', topic: 'general', id: 1 })).toEqual({
      type: 'subscribed',
      topic: 'general',
      id: 1,
      epoch: expect.any(String),
      offset: 0,
    });
    child.kill('SIGTERM');
    expect(await client.closed).toEqual({ code: 1001, reason: 'Going away' });
    expect(await exitCode(child)).toBe(0);
  });

  it("works through the package's bin and the compiled CLI it loads when installed (`npm run build`), and reports usage errors with exit code 2", async () => {
    const manifest = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
      bin: { topicsocket: string };
    };
    for (const entry of [manifest.bin.topicsocket, 'dist/cli/main.js']) {
      const help = spawn(process.execPath, [entry, '--help'], {
        cwd: new URL('../../..', import.meta.url),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.push(help);
      const printed = waitForOutput(help, /Commands:[\s\S]*dev/);
      expect(await exitCode(help)).toBe(0);
      await printed;
    }

    const bad = spawnCli(['dev', '--port', 'seventy']);
    let stderr = '';
    bad.stderr?.on('data', (chunk: Buffer) => {
      stderr += String(chunk);
    });
    expect(await exitCode(bad)).toBe(2);
    expect(stderr).toContain('invalid port "seventy" from --port');
  });

  it('says in one line to build first when the bin has no compiled CLI next to it, and exits 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'topicsocket-bin-'));
    try {
      mkdirSync(join(dir, 'bin'));
      copyFileSync(
        new URL('../../../bin/topicsocket.js', import.meta.url),
        join(dir, 'bin', 'topicsocket.js'),
      );
      const child = spawn(process.execPath, [join(dir, 'bin', 'topicsocket.js'), '--help'], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.push(child);
      let stderr = '';
      child.stderr?.on('data', (chunk: Buffer) => {
        stderr += String(chunk);
      });
      expect(await exitCode(child)).toBe(1);
      expect(stderr).toBe(
        'topicsocket: the compiled CLI is missing (dist/cli/main.js): run `npm run build` first, or `npm start` in a clone\n',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
