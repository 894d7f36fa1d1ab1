/**
 * docs/deploy.md's Serverless Framework commands that need no AWS account, run as written through `sh -c`
 * (test/docs/command-inventory.ts lists every doc command): `npm run package` in this folder, and the
 * seed's local setup, `cd deploy/serverless && TOPICSOCKET_AUTH=open npm run offline` from the repo root
 * with `npm run demo -- --url ws://localhost:3001` against it. Only ports change: PORT, HTTP_PORT and
 * LAMBDA_PORT are free ports, and `localhost:3001` becomes the one chosen.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freshShellEnv, runShell, type ShellCommand } from '../../../test/support/shell-command.ts';
import { freePort } from '../lib/free-port.ts';
import { serviceDir } from '../lib/serverless-cli.ts';

const REPO_ROOT = join(serviceDir, '..', '..');
const Docs = {
  cd: 'cd deploy/serverless',
  package: 'npm run package',
  offline: 'cd deploy/serverless && TOPICSOCKET_AUTH=open npm run offline',
  demo: 'npm run demo -- --url ws://localhost:3001',
} as const;

const running: ShellCommand[] = [];

afterAll(async () => {
  await Promise.all(running.map((shell) => shell.stop()));
});

describe('docs/deploy.md: Serverless Framework commands that run offline', () => {
  it('`npm run package` (after `cd deploy/serverless`) packages without credentials', async () => {
    expect(Docs.offline.startsWith(Docs.cd)).toBe(true);
    const shell = runShell(Docs.package, { cwd: serviceDir, env: freshShellEnv() });
    running.push(shell);
    const code = await shell.exited;
    expect(code, shell.output()).toBe(0);
    expect(shell.output()).toMatch(/serverless package finished in [\d.]+ s/);
  });

  it('`TOPICSOCKET_AUTH=open npm run offline` accepts the seed clients of `npm run demo -- --url`', async () => {
    const [port, httpPort, lambdaPort] = [await freePort(), await freePort(), await freePort()];
    // serverless-esbuild never removes stale outputs (see serverless-offline.ts).
    rmSync(join(serviceDir, '.esbuild'), { recursive: true, force: true });
    const offline = runShell(Docs.offline, {
      cwd: REPO_ROOT,
      env: freshShellEnv({
        PORT: String(port),
        HTTP_PORT: String(httpPort),
        LAMBDA_PORT: String(lambdaPort),
      }),
    });
    running.push(offline);
    await offline.waitFor(/Offline \[http for websocket\] listening on http:\/\//, 120_000);

    const demo = runShell(Docs.demo.replace('localhost:3001', `localhost:${port}`), {
      cwd: REPO_ROOT,
      env: freshShellEnv(),
    });
    running.push(demo);
    // Before the fix every connection was refused 401 `no_verifier`: the variable never reached the handler.
    await demo.waitFor(/ws2 IN .*count is 1/, 90_000);
    expect(demo.output()).toContain('WS1 connected');
    expect(offline.output()).not.toContain('no_verifier');
    await demo.stop('SIGINT');
    await offline.stop('SIGINT');
    // No stack trace (a stack frame ends in `file:line:column`; the config warning's `at 'provider.runtime'` does not).
    expect(offline.output()).not.toMatch(/^\s+at .*:\d+:\d+\)?$/m);
  });
});
