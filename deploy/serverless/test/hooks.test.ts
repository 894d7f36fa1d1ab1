/**
 * TOPICSOCKET_HOOKS at package time: the functions' packaged bundles hold the hooks module's code when it is
 * set and none of it when it is unset or empty (serverless-esbuild with the rendered `alias`), and a module
 * that does not load stops `serverless package` with its file, line and error (plugins/hooks-check.cjs)
 * before anything is bundled. (serverless-esbuild failing a build itself leaves the Framework running
 * forever: its esbuild contexts are never disposed. The plugin fails first, so the command exits.)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { HookEnvironment } from '../../../src/core/config-env.ts';
import { DeployedHooksModule } from '../../model/index.ts';
import { runServerless, serviceDir } from '../lib/serverless-cli.ts';

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
    // Empty is unset (the Framework alone would pass '' to esbuild: "Invalid alias substitution").
    const without = await packaged({ TOPICSOCKET_HOOKS: '' });
    expect(Object.keys(without).length).toBeGreaterThan(0);
    expect(Object.values(without).some((code) => code.includes(MARKER))).toBe(false);
  });
});

/** A module in a fresh folder; resolves with its path. */
function hooksModule(name: string, source: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'topicsocket-sls-hooks-src-'));
  dirs.push(dir);
  const file = join(dir, name);
  writeFileSync(file, source);
  return file;
}

const throwsAtLoad = () =>
  hooksModule(
    'throws.ts',
    'const ready = false;\nif (!ready) throw new Error("not configured");\nexport default {};\n',
  );

describe('Serverless: a hooks module that does not load stops packaging', () => {
  it('with its file, line and error, and a non-zero exit, before bundling', {
    timeout: 120_000,
  }, async () => {
    const file = throwsAtLoad();
    const failure = await runServerless(['package', '--stage', 'dev', '--package', join(file, '..', 'out')], {
      TOPICSOCKET_HOOKS: file,
    }).then(
      () => undefined,
      (error: Error) => error.message,
    );
    expect(failure).toMatch(/exited 1:/);
    expect(failure).toContain(`the hooks module does not load: ${file}:2:`);
    expect(failure).toContain('not configured');
    expect(failure).not.toContain('Build failed');
  });
});

interface HooksCheckPlugin {
  hooks: Record<string, () => void | Promise<void>>;
}
const HooksCheck = createRequire(import.meta.url)('../plugins/hooks-check.cjs') as new (
  serverless: unknown,
  options: unknown,
  utils: { log: { notice(message: string): void } },
) => HooksCheckPlugin;

const NoHooks = '../../src/runtimes/aws/no-hooks.ts';

/** The plugin on a fake Framework with TOPICSOCKET_HOOKS as given (undefined: unset). */
async function withVariable<T>(
  value: string | undefined,
  run: (plugin: HooksCheckPlugin, alias: Record<string, string>, notices: string[]) => Promise<T>,
): Promise<T> {
  const previous = process.env[HookEnvironment.module];
  if (value === undefined) delete process.env[HookEnvironment.module];
  else process.env[HookEnvironment.module] = value;
  try {
    const alias = { [DeployedHooksModule]: value ?? NoHooks };
    const notices: string[] = [];
    const plugin = new HooksCheck(
      {
        serviceDir,
        classes: { Error },
        service: {
          custom: {
            esbuild: { alias },
            topicsocket: {
              hooks: { variable: HookEnvironment.module, alias: DeployedHooksModule, none: NoHooks },
            },
          },
        },
      },
      {},
      { log: { notice: (message) => notices.push(message) } },
    );
    return await run(plugin, alias, notices);
  } finally {
    if (previous === undefined) delete process.env[HookEnvironment.module];
    else process.env[HookEnvironment.module] = previous;
  }
}

describe('hooks-check plugin', () => {
  const packageHook = 'before:package:createDeploymentArtifacts';

  it('does nothing when TOPICSOCKET_HOOKS is unset or empty (empty bundles the empty module)', async () => {
    for (const value of [undefined, '', '  ']) {
      await withVariable(value, async (plugin, alias, notices) => {
        await plugin.hooks.initialize?.();
        await plugin.hooks[packageHook]?.();
        expect(alias[DeployedHooksModule]).toBe(NoHooks);
        expect(notices).toEqual([]);
      });
    }
  });

  it('checks a module that loads, and bundles exactly that file (relative to the service folder)', async () => {
    const relative = '../../test/hooks/fixtures/test-hooks.ts';
    await withVariable(` ${relative} `, async (plugin, alias, notices) => {
      await plugin.hooks.initialize?.();
      expect(alias[DeployedHooksModule]).toBe(HOOKS_FILE);
      await plugin.hooks[packageHook]?.();
      expect(notices).toHaveLength(1);
      expect(notices[0]).toContain(`hooks: ${HOOKS_FILE}: onConnect`);
    });
  });

  it('refuses a module that throws while it loads, with its file and line', async () => {
    const file = throwsAtLoad();
    await withVariable(file, async (plugin) => {
      await expect(plugin.hooks[packageHook]?.()).rejects.toThrow(
        new RegExp(
          `^the hooks module does not load: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2:\\d+: Error: not configured`,
        ),
      );
    });
  });

  it('refuses a module whose default export is not a hooks object, on every command that bundles', async () => {
    const file = hooksModule('shape.ts', 'export default 42;\n');
    await withVariable(file, async (plugin) => {
      for (const hook of [
        packageHook,
        'before:deploy:function:packageFunction',
        'before:offline:start:init',
      ]) {
        await expect(plugin.hooks[hook]?.()).rejects.toThrow(
          /default export must be the hooks object.*got number/,
        );
      }
    });
  });
});
