/**
 * Server hooks in the deployed functions (docs/hooks.md): when TOPICSOCKET_HOOKS names a module at synth or
 * package time, both tools bundle it into the functions by aliasing the entry points' virtual module
 * `@topicsocket/deployed-hooks` (src/runtimes/aws/deployed-hooks.ts) to it; unset, the id resolves to
 * src/runtimes/aws/no-hooks.ts (tsconfig.json `paths`) and no hook code ships. The module is bundled by the
 * tools' own esbuild, as the functions are: local imports and packages included.
 */
import { resolve } from 'node:path';
import { type Env, HookEnvironment } from '../../src/core/config-env.ts';

export const DeployedHooksModule = '@topicsocket/deployed-hooks';

export interface HooksModel {
  /** Absolute path of the hooks module to bundle; undefined: none. */
  file: string | undefined;
  /** esbuild `alias` for the functions' bundles (empty without hooks). */
  alias: Readonly<Record<string, string>>;
}

/** The hooks of a deploy: TOPICSOCKET_HOOKS, relative to `cwd` (where the tool was started). */
export function hooksModel(file: string | undefined, cwd: string = process.cwd()): HooksModel {
  if (!file?.trim()) return { file: undefined, alias: {} };
  const absolute = resolve(cwd, file.trim());
  return { file: absolute, alias: { [DeployedHooksModule]: absolute } };
}

export function hooksFileFromEnv(env: Env): string | undefined {
  return env[HookEnvironment.module]?.trim() || undefined;
}

/**
 * Loads the module as `topicsocket dev` would and checks its shape, so a module that does not load stops
 * synth (or packaging) with its file, line and error rather than failing every cold start. Resolves with a
 * one-line summary; rejects with the reason.
 */
export async function checkHooksModule(file: string): Promise<string> {
  const { loadUserModule } = await import('../../src/cli/user-module.ts');
  const { hooksFromModule } = await import('../../src/core/hooks/index.ts');
  const loaded = await loadUserModule(file);
  const hooks = hooksFromModule(loaded.exports, file);
  const names = [
    ...(['onConnect', 'onSubscribe', 'onPublish', 'onDisconnect'] as const).filter((name) => hooks[name]),
    ...Object.keys(hooks.rpc ?? {}).map((method) => `rpc.${method}`),
  ];
  return `${file}: ${names.join(', ') || 'no hooks'}`;
}
