/**
 * TOPICSOCKET_HOOKS at package time: the functions' packaged bundles hold the hooks module's code when it is
 * set and none of it when it is not (serverless-esbuild with the rendered `alias`). (A module that does
 * not compile stops `serverless package` with esbuild's `file:line:column: ERROR`; spawned from a test the
 * Framework then does not exit, so that case is not automated here.)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runServerless } from '../lib/serverless-cli.ts';

const HOOKS_FILE = fileURLToPath(new URL('../../../test/hooks/fixtures/test-hooks.ts', import.meta.url));
const MARKER = 'onPublish exploded';
const dirs: string[] = [];

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Packages the service into a fresh folder; resolves with every packaged file's text, per zip. */
async function packaged(env: NodeJS.ProcessEnv): Promise<Record<string, string>> {
  const dir = mkdtempSync(join(tmpdir(), 'topicsocket-sls-hooks-'));
  dirs.push(dir);
  await runServerless(['package', '--stage', 'dev', '--package', dir], env);
  const zips = readdirSync(dir).filter((name) => name.endsWith('.zip'));
  return Object.fromEntries(
    zips.map((zip) => [
      zip,
      execFileSync('unzip', ['-p', join(dir, zip)], { maxBuffer: 64 << 20 }).toString(),
    ]),
  );
}

describe('Serverless: server hooks bundled at package time', () => {
  it('with TOPICSOCKET_HOOKS the package carries the hooks; without, it does not', {
    timeout: 300_000,
  }, async () => {
    const withHooks = await packaged({ TOPICSOCKET_HOOKS: HOOKS_FILE });
    expect(Object.values(withHooks).some((code) => code.includes(MARKER))).toBe(true);
    const without = await packaged({});
    expect(Object.keys(without).length).toBeGreaterThan(0);
    expect(Object.values(without).some((code) => code.includes(MARKER))).toBe(false);
  });
});
