/**
 * `topicsocket dev --hooks FILE` (or TOPICSOCKET_HOOKS) and `--hook-timeout MS` (or
 * TOPICSOCKET_HOOK_TIMEOUT_MS): loads the hooks module with the shared user-module loader, refuses to start
 * when it does not load (its file, line and error), and reloads it on every change while clients stay
 * connected: the broker reads `source.current` on each request, so the next request runs the new hooks.
 */
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ParseArgsConfig } from 'node:util';
import { EnvReader, HookEnvironment, HookTimeoutRange } from '../core/config-env.ts';
import { type Hooks, type HooksSource, hooksFromModule } from '../core/hooks/index.ts';
import { CliFailure } from './failures.ts';
import type { CliIo } from './io.ts';
import { UsageError } from './io.ts';
import { type UserModule, UserModuleError, watchUserModule } from './user-module.ts';

export const hooksArgs = {
  hooks: { type: 'string' },
  'hook-timeout': { type: 'string' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

export const hooksUsage = [
  `  --hooks FILE        server hooks module (.ts, .mts, .mjs, .js; default: $${HookEnvironment.module}),`,
  '                      reloaded when it or a local import changes (docs/hooks.md)',
  `  --hook-timeout MS   time budget of one hook call (default: $${HookEnvironment.timeoutMs}, else 3000;`,
  `                      at most ${HookTimeoutRange.max})`,
].join('\n');

/**
 * The `topicsocket` package as the running CLI sees it (its own entry, sources or build): a hooks module's
 * `import { HookRejection } from 'topicsocket'` gets the classes of the server that runs it.
 */
const OWN_ENTRY = fileURLToPath(
  new URL(`../index${extname(fileURLToPath(import.meta.url))}`, import.meta.url),
);

export interface DevHooks {
  source: HooksSource;
  timeoutMs: number | undefined;
  /** Shown at startup. */
  summary: string;
  close(): void;
}

/** Undefined when no hooks module is named. Throws a CliFailure (file, line, error) when it does not load. */
export async function loadDevHooks(
  values: { hooks?: string | undefined; 'hook-timeout'?: string | undefined },
  io: CliIo,
): Promise<DevHooks | undefined> {
  const reader = new EnvReader(
    values['hook-timeout'] === undefined ? io.env : { [HookEnvironment.timeoutMs]: values['hook-timeout'] },
  );
  const timeoutMs = reader.integer(HookEnvironment.timeoutMs, HookTimeoutRange);
  if (reader.problems.length > 0) {
    const problem = reader.problems[0] as string;
    throw new UsageError(
      values['hook-timeout'] === undefined
        ? problem
        : problem.replace(HookEnvironment.timeoutMs, '--hook-timeout'),
    );
  }
  const file = values.hooks ?? new EnvReader(io.env).text(HookEnvironment.module);
  if (file === undefined) return undefined;

  let current: Hooks | undefined;
  const accept = (module: UserModule) => {
    // A module of the wrong shape is refused like one that does not compile: the previous hooks stay.
    current = hooksFromModule(module.exports, file);
  };
  let watcher: Awaited<ReturnType<typeof watchUserModule>> | undefined;
  try {
    watcher = await watchUserModule(file, {
      aliases: { topicsocket: OWN_ENTRY },
      onReload: (module) => {
        accept(module);
        io.out(`hooks reloaded: ${file}`);
      },
      onError: (error) => io.err(`hooks not reloaded, the previous ones stay: ${error.message}`),
    });
    accept(watcher.current);
  } catch (error) {
    watcher?.close();
    if (error instanceof UserModuleError || error instanceof TypeError) {
      throw new CliFailure(`the hooks module does not load: ${error.message}`);
    }
    throw error;
  }
  const names = [
    ...(['onConnect', 'onSubscribe', 'onPublish', 'onDisconnect'] as const).filter((name) => current?.[name]),
    ...Object.keys(current?.rpc ?? {}).map((method) => `rpc.${method}`),
  ];
  return {
    source: {
      get current() {
        return current;
      },
    },
    timeoutMs,
    summary: `${file} (${names.join(', ') || 'no hooks'}; reloaded on change)`,
    close: () => watcher?.close(),
  };
}
