/**
 * Loads a user's module (hooks, a Lambda-shaped handler) written in TypeScript or JavaScript into the running
 * process, and reloads it when it or one of its local imports changes. One loader for every command that
 * runs user code (`topicsocket dev --hooks`, `topicsocket emulate --handler`), so a module behaves the same
 * in all of them and as the deploy tools bundle it.
 *
 * How: esbuild bundles the module and its local (relative) imports into one ES module in a temporary
 * directory, which is `import()`ed and deleted. Package imports are not bundled: each is resolved from the
 * module's own directory, as Node would (conditions `node`, `import`, `default`; `main`, not `module`), and
 * imported by absolute URL, so the module shares one instance of each package with the user's project and
 * only the user's own code is loaded again on a reload. Bundling (rather than a loader hook such as tsx's)
 * is what the deploy tools do too (CDK NodejsFunction, serverless-esbuild), so `.ts` features that need
 * more than type stripping (enums, `paths`) mean the same here and there.
 *
 * A reload is a new module instance (a new URL). ES modules are never unloaded by Node: every reload keeps
 * the previous instance's code and top-level state in memory for the life of the process: measured 230 KiB
 * of heap (620 KiB of RSS) per reload of a 300-line module, its inline source map included (2026-12-01,
 * Node 20). Packages are not reloaded, so they cost nothing more. `watchUserModule` therefore skips reloads
 * whose bundle did not change and stops reloading after `maxReloads` (default 200: about 45 MiB of heap for
 * that module), telling the user to restart.
 *
 * esbuild is an optional peer dependency of the `topicsocket` package, loaded only here and only when a
 * user module is loaded: an app that never loads one (or that only imports `topicsocket` as a library)
 * installs and loads no bundler, and anyone who deploys hooks already has esbuild for the deploy tools.
 */
import { createHash } from 'node:crypto';
import { type FSWatcher, watch } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, extname, join, relative, resolve as resolvePath } from 'node:path';
import { pathToFileURL } from 'node:url';

type Esbuild = typeof import('esbuild');

/** File name endings a user module may have. */
export const USER_MODULE_EXTENSIONS = ['.ts', '.mts', '.cts', '.mjs', '.js', '.cjs'] as const;

export interface UserModuleOptions {
  /**
   * Package names answered with a given file instead of being resolved from the module's directory. The CLI
   * maps `topicsocket` to its own entry, so hooks get the very classes of the server that runs them.
   */
  aliases?: Readonly<Record<string, string>>;
  /** Working directory for relative paths in messages (default: the process's). */
  cwd?: string;
}

/** A loaded module: its exports and the local files it was built from (what a watcher watches). */
export interface UserModule {
  /** Absolute path of the module's entry file. */
  readonly file: string;
  /** The module namespace (`default` and named exports). */
  readonly exports: Readonly<Record<string, unknown>>;
  /** Absolute paths of the entry and every local file it imports (no packages). */
  readonly sources: readonly string[];
  /** Hash of the bundle: equal hashes are the same code. */
  readonly hash: string;
}

/**
 * A module that could not be loaded: it does not exist, does not compile, does not resolve an import, or
 * threw while it was evaluated. `message` reads `file:line:column: reason` when the place is known.
 */
export class UserModuleError extends Error {
  override readonly name = 'UserModuleError';

  constructor(
    /** Absolute path of the file at fault (the entry, or the local import where the error is). */
    readonly file: string,
    readonly reason: string,
    readonly line?: number,
    readonly column?: number,
    options?: { cause?: unknown; display?: string },
  ) {
    const where = `${options?.display ?? file}${line === undefined ? '' : `:${line}${column === undefined ? '' : `:${column}`}`}`;
    super(`${where}: ${reason}`, options?.cause === undefined ? undefined : { cause: options.cause });
  }
}

/** Loads `file` once. Throws a UserModuleError naming the file, line and error when it cannot. */
export async function loadUserModule(file: string, options: UserModuleOptions = {}): Promise<UserModule> {
  const built = await bundle(file, options);
  return instantiate(built, options);
}

export interface WatchUserModuleOptions extends UserModuleOptions {
  /**
   * A new instance after a change. May throw (the module has the wrong shape, say): the error goes to
   * `onError` and the caller keeps whatever it had.
   */
  onReload(module: UserModule): void;
  /** A reload that failed; the previous instance stays in use. */
  onError(error: Error): void;
  /** Events within this many milliseconds are one change (editors write a file in several steps). */
  settleMs?: number;
  /** Reloads after which changes are no longer loaded (module instances are never freed). Default 200. */
  maxReloads?: number;
}

export interface UserModuleWatcher {
  /** The instance last loaded successfully. */
  readonly current: UserModule;
  /** Reloads done so far. */
  readonly reloads: number;
  close(): void;
}

/**
 * Loads `file` (throwing as `loadUserModule` does) and then watches it and its local imports: each change
 * loads a new instance and hands it to `onReload`. The watch follows the imports of the latest bundle, and
 * the directories rather than the files are watched, so editors that save by renaming a temporary file are
 * seen too.
 */
export async function watchUserModule(
  file: string,
  options: WatchUserModuleOptions,
): Promise<UserModuleWatcher> {
  const settleMs = options.settleMs ?? 60;
  const maxReloads = options.maxReloads ?? 200;
  let current = await loadUserModule(file, options);
  let reloads = 0;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let watched = new Map<string, FSWatcher>();
  let exhausted = false;

  const reload = async () => {
    if (closed) return;
    try {
      const built = await bundle(file, options);
      if (closed) return;
      rewatch(built.sources);
      if (built.hash === current.hash) return; // saved without a change that matters
      if (reloads >= maxReloads) {
        if (!exhausted) {
          exhausted = true;
          options.onError(
            new Error(
              `${display(file, options)} changed, but it was reloaded ${maxReloads} times already and every ` +
                'instance stays in memory: restart to load it',
            ),
          );
        }
        return;
      }
      const next = await instantiate(built, options);
      reloads++;
      options.onReload(next); // may refuse it by throwing: then the current instance stays
      current = next;
    } catch (error) {
      options.onError(error instanceof Error ? error : new Error(String(error)));
    }
  };

  const changed = () => {
    if (closed) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      running = running.then(reload);
    }, settleMs);
  };

  const rewatch = (sources: readonly string[]) => {
    const names = new Map<string, Set<string>>();
    for (const source of sources) {
      const dir = dirname(source);
      const set = names.get(dir) ?? new Set<string>();
      names.set(dir, set);
      set.add(basename(source));
    }
    const next = new Map<string, FSWatcher>();
    for (const [dir, files] of names) {
      const existing = watched.get(dir);
      if (existing) existing.close();
      try {
        const watcher = watch(dir, (_event, name) => {
          if (name === null || files.has(basename(name.toString()))) changed();
        });
        watcher.on('error', () => watcher.close());
        next.set(dir, watcher);
      } catch {
        // A directory that vanished: the next successful bundle watches again.
      }
    }
    for (const [dir, watcher] of watched) if (!next.has(dir)) watcher.close();
    watched = next;
  };

  rewatch(current.sources);
  return {
    get current() {
      return current;
    },
    get reloads() {
      return reloads;
    },
    close() {
      closed = true;
      clearTimeout(timer);
      for (const watcher of watched.values()) watcher.close();
      watched.clear();
    },
  };
}

interface Bundle {
  file: string;
  code: string;
  sources: string[];
  hash: string;
}

let esbuildModule: Promise<Esbuild> | undefined;

function loadEsbuild(file: string, options: UserModuleOptions): Promise<Esbuild> {
  esbuildModule ??= import('esbuild').catch((error: unknown) => {
    esbuildModule = undefined;
    throw new UserModuleError(
      resolvePath(file),
      'loading a user module needs esbuild, which is not installed: run `npm install --save-dev esbuild` ' +
        '(the deploy tools need it too)',
      undefined,
      undefined,
      { cause: error, display: display(file, options) },
    );
  });
  return esbuildModule;
}

async function bundle(file: string, options: UserModuleOptions): Promise<Bundle> {
  const cwd = options.cwd ?? process.cwd();
  const entry = resolvePath(cwd, file);
  const shown = display(entry, options);
  if (!(USER_MODULE_EXTENSIONS as readonly string[]).includes(extname(entry))) {
    throw new UserModuleError(
      entry,
      `a module must end in ${USER_MODULE_EXTENSIONS.join(', ')}`,
      undefined,
      undefined,
      { display: shown },
    );
  }
  try {
    if (!(await stat(entry)).isFile()) throw new Error('not a file');
  } catch {
    throw new UserModuleError(entry, 'no such file', undefined, undefined, { display: shown });
  }
  const esbuild = await loadEsbuild(entry, options);
  const aliases = options.aliases ?? {};
  let result: import('esbuild').BuildResult<{ write: false; metafile: true }>;
  try {
    result = await esbuild.build({
      entryPoints: [entry],
      absWorkingDir: cwd,
      bundle: true,
      write: false,
      outfile: join(cwd, 'user-module.mjs'),
      format: 'esm',
      platform: 'node',
      target: `node${process.versions.node.split('.')[0]}`,
      // As Node resolves: `main` only (not the bundlers' `module`), conditions node/import/default.
      mainFields: ['main'],
      conditions: ['node'],
      sourcemap: 'inline',
      sourcesContent: false,
      // The map's sources are relative to `outfile` (in cwd), but the bundle runs from a temporary folder.
      sourceRoot: pathToFileURL(join(cwd, '/')).href,
      metafile: true,
      logLevel: 'silent',
      // A CommonJS file bundled into an ES module may still call require() for built-ins.
      banner: {
        js: "import { createRequire as __tsCreateRequire } from 'node:module'; const require = __tsCreateRequire(import.meta.url);",
      },
      plugins: [
        {
          name: 'topicsocket-packages-external',
          setup(build: import('esbuild').PluginBuild) {
            // Bare specifiers only (not ./, ../ or /): packages stay packages, resolved where the module is.
            build.onResolve({ filter: /^[^./]/ }, async (args: import('esbuild').OnResolveArgs) => {
              if (args.pluginData === RESOLVING) return undefined;
              if (isBuiltin(args.path)) return { path: args.path, external: true };
              const alias = aliases[args.path];
              if (alias !== undefined) return { path: pathToFileURL(alias).href, external: true };
              const found = await build.resolve(args.path, {
                kind: args.kind,
                resolveDir: args.resolveDir,
                importer: args.importer,
                pluginData: RESOLVING,
              });
              if (found.errors.length > 0) return { errors: found.errors };
              return { path: pathToFileURL(found.path).href, external: true };
            });
          },
        },
      ],
    });
  } catch (error) {
    throw buildError(entry, error, options);
  }
  const code = result.outputFiles?.[0]?.text ?? '';
  const sources = Object.keys(result.metafile.inputs).map((input) => resolvePath(cwd, input));
  const hash = createHash('sha256').update(code).digest('hex').slice(0, 16);
  return { file: entry, code, sources, hash };
}

const RESOLVING = Symbol('resolving');

let generation = 0;
let sourceMapsOn = false;

async function instantiate(built: Bundle, options: UserModuleOptions): Promise<UserModule> {
  if (!sourceMapsOn) {
    // Stack traces of user code (load errors, and hooks that throw later) point into the user's files, not
    // into the bundle. Process-wide, as `node --enable-source-maps`; the CLI is the process.
    process.setSourceMapsEnabled(true);
    sourceMapsOn = true;
  }
  const dir = await mkdtemp(join(tmpdir(), 'topicsocket-module-'));
  const name = `${basename(built.file, extname(built.file))}.${built.hash}.${++generation}.mjs`;
  const path = join(dir, name);
  await writeFile(path, built.code);
  try {
    const exports = (await import(/* @vite-ignore */ pathToFileURL(path).href)) as Record<string, unknown>;
    return { file: built.file, exports, sources: built.sources, hash: built.hash };
  } catch (error) {
    throw evaluationError(built, error, options);
  } finally {
    // Imported: Node holds the module in memory and never reads the file again.
    await rm(dir, { recursive: true, force: true });
  }
}

interface EsbuildFailure {
  errors: Array<{ text: string; location: { file: string; line: number; column: number } | null }>;
}

function buildError(entry: string, error: unknown, options: UserModuleOptions): UserModuleError {
  const cwd = options.cwd ?? process.cwd();
  const first = (error as Partial<EsbuildFailure>).errors?.[0];
  if (!first) {
    return new UserModuleError(
      entry,
      error instanceof Error ? error.message : String(error),
      undefined,
      undefined,
      {
        cause: error,
        display: display(entry, options),
      },
    );
  }
  const file = first.location ? resolvePath(cwd, first.location.file) : entry;
  // esbuild counts columns from 0; editors and stack traces from 1.
  return new UserModuleError(
    file,
    first.text,
    first.location?.line,
    first.location ? first.location.column + 1 : undefined,
    { cause: error, display: display(file, options) },
  );
}

/** The first place in the user's own files that the stack names (source maps are on), else the entry. */
function evaluationError(built: Bundle, error: unknown, options: UserModuleOptions): UserModuleError {
  const reason = error instanceof Error ? `${error.name}: ${error.message}` : `threw ${String(error)}`;
  const stack = error instanceof Error ? (error.stack ?? '') : '';
  for (const source of built.sources) {
    for (const spelled of [pathToFileURL(source).href, source]) {
      const at = stack.indexOf(`${spelled}:`);
      if (at === -1) continue;
      const place = /^:(\d+):(\d+)/.exec(stack.slice(at + spelled.length));
      if (place) {
        return new UserModuleError(source, reason, Number(place[1]), Number(place[2]), {
          cause: error,
          display: display(source, options),
        });
      }
    }
  }
  return new UserModuleError(built.file, reason, undefined, undefined, {
    cause: error,
    display: display(built.file, options),
  });
}

function display(file: string, options: UserModuleOptions): string {
  const cwd = options.cwd ?? process.cwd();
  const shown = relative(cwd, resolvePath(cwd, file));
  return shown.startsWith('..') ? resolvePath(cwd, file) : shown;
}
