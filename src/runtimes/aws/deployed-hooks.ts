/**
 * The hooks module the deploy tools bundled into this function (docs/hooks.md): `@topicsocket/deployed-hooks`
 * is aliased at synth/package time to the file TOPICSOCKET_HOOKS named (deploy/model/hooks.ts), else it is
 * ./no-hooks.ts. Read at cold start: a module of the wrong shape fails the function's init with the error
 * naming the hook, as a bad variable does. Only the entry points (handler.ts, publish.ts) import this file;
 * `createAwsHandler` and `createPublishHandler` take hooks as a plain option.
 */
import * as deployed from '@topicsocket/deployed-hooks';
import { type Env, EnvReader, HookEnvironment, HookTimeoutRange } from '../../core/config-env.ts';
import { type Hooks, hooksFromModule } from '../../core/hooks/index.ts';

/** The bundled hooks, checked; undefined when none were bundled. */
export function deployedHooks(): Hooks | undefined {
  const module = deployed as Readonly<Record<string, unknown>>;
  if (module.noHooks === true) return undefined;
  return hooksFromModule(module, 'the deployed hooks module');
}

/** TOPICSOCKET_HOOK_TIMEOUT_MS, checked (a bad value fails init, naming the variable). */
export function hookTimeoutFromEnv(env: Env): number | undefined {
  const reader = new EnvReader(env);
  const value = reader.integer(HookEnvironment.timeoutMs, HookTimeoutRange);
  if (reader.problems.length > 0) throw new Error(reader.problems.join('; '));
  return value;
}

/** The bundled hooks and their budget, as the handler factories take them. */
export function deployedHookOptions(env: Env): { hooks?: Hooks; hookTimeoutMs?: number } {
  const hooks = deployedHooks();
  const hookTimeoutMs = hookTimeoutFromEnv(env);
  return { ...(hooks ? { hooks } : {}), ...(hookTimeoutMs === undefined ? {} : { hookTimeoutMs }) };
}
