/**
 * The shared user-module loader (src/cli/user-module.ts): every accepted file type loads with its local
 * imports bundled and its packages resolved as Node would from the module's folder; load errors name the
 * file, line and error; a watched module reloads as a new instance when it or a local import changes, keeps
 * the last good instance when a change does not load, and shares package instances across reloads.
 */
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  loadUserModule,
  type UserModule,
  UserModuleError,
  type UserModuleWatcher,
  watchUserModule,
} from '../../src/cli/user-module.ts';

let dir: string;
const watchers: UserModuleWatcher[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'user-module-test-'));
  // A package with an ESM `import` condition, a CommonJS `require` one and a bundler-only `module` field:
  // Node (and so the loader) picks `import`.
  const pkg = join(dir, 'node_modules', 'shared-state');
  await mkdir(pkg, { recursive: true });
  await writeFile(
    join(pkg, 'package.json'),
    JSON.stringify({
      name: 'shared-state',
      type: 'module',
      module: './bundler.js',
      exports: { '.': { import: './index.js', require: './index.cjs' } },
    }),
  );
  await writeFile(
    join(pkg, 'index.js'),
    'export const flavour = "import"; export const registry = new Set();\n',
  );
  await writeFile(join(pkg, 'index.cjs'), 'exports.flavour = "require";\n');
  await writeFile(join(pkg, 'bundler.js'), 'export const flavour = "module";\n');
});

afterEach(async () => {
  for (const watcher of watchers.splice(0)) watcher.close();
  await rm(dir, { recursive: true, force: true });
});

const write = (name: string, text: string) => writeFile(join(dir, name), text);

async function loadError(file: string): Promise<UserModuleError> {
  const error = await loadUserModule(join(dir, file), { cwd: dir }).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(UserModuleError);
  return error as UserModuleError;
}

describe('loadUserModule', () => {
  it('loads .ts with local imports, TypeScript-only syntax and packages resolved as Node does', async () => {
    await write(
      'util.ts',
      'export enum Level { Low = 1, High = 2 }\nexport const twice = (n: number): number => n * 2;\n',
    );
    await write(
      'hooks.ts',
      [
        "import { flavour } from 'shared-state';",
        "import { join } from 'node:path';",
        "import { Level, twice } from './util.ts';",
        'export default { level: Level.High, four: twice(2), flavour, sep: join("a", "b") };',
        'export const named = 1 as number;',
      ].join('\n'),
    );
    const loaded = await loadUserModule(join(dir, 'hooks.ts'), { cwd: dir });
    expect(loaded.exports.default).toEqual({ level: 2, four: 4, flavour: 'import', sep: join('a', 'b') });
    expect(loaded.exports.named).toBe(1);
    expect([...loaded.sources].sort()).toEqual([join(dir, 'hooks.ts'), join(dir, 'util.ts')]);
  });

  it.each([
    ['hooks.mts', 'export default { kind: "mts" as const };'],
    ['hooks.mjs', 'export default { kind: "mjs" };'],
    ['hooks.js', 'export default { kind: "js" };'],
    ['hooks.cjs', 'module.exports = { kind: "cjs", builtin: typeof require("node:os").tmpdir };'],
  ])('loads %s', async (name, text) => {
    await write(name, text);
    const loaded = await loadUserModule(join(dir, name), { cwd: dir });
    expect((loaded.exports.default as { kind: string }).kind).toBe(name.split('.')[1]);
  });

  it('answers aliased packages with the given file (the CLI maps topicsocket to itself)', async () => {
    await write('target.mjs', 'export const marker = Symbol.for("aliased");\n');
    await write('hooks.ts', "import { marker } from 'topicsocket';\nexport default marker;\n");
    const loaded = await loadUserModule(join(dir, 'hooks.ts'), {
      cwd: dir,
      aliases: { topicsocket: join(dir, 'target.mjs') },
    });
    expect(loaded.exports.default).toBe(Symbol.for('aliased'));
  });

  it('names the file, line and column of a syntax error, also in a local import', async () => {
    await write('broken.ts', 'export const a = 1;\nexport const b = ;\n');
    await write('hooks.ts', "import { a } from './broken.ts';\nexport default a;\n");
    const error = await loadError('hooks.ts');
    expect(error.file).toBe(join(dir, 'broken.ts'));
    expect(error.line).toBe(2);
    expect(error.message).toMatch(/^broken\.ts:2:\d+: Unexpected ";"/);
  });

  it('names the import that does not resolve', async () => {
    await write(
      'hooks.ts',
      "// a comment\nimport missing from 'no-such-package';\nexport default missing;\n",
    );
    const error = await loadError('hooks.ts');
    expect(error.message).toMatch(/^hooks\.ts:2:\d+: Could not resolve "no-such-package"/);
  });

  it('names the line of the user code that threw while the module was evaluated', async () => {
    await write('config.ts', 'export function read(): string {\n  throw new Error("TOKEN is not set");\n}\n');
    await write(
      'hooks.ts',
      "import { read } from './config.ts';\nconst token = read();\nexport default { token };\n",
    );
    const error = await loadError('hooks.ts');
    expect(error.file).toBe(join(dir, 'config.ts'));
    expect(error.line).toBe(2);
    expect(error.message).toMatch(/^config\.ts:2:\d+: Error: TOKEN is not set$/);
  });

  it('refuses a missing file and an unknown extension, naming the file', async () => {
    expect((await loadError('nope.ts')).message).toBe('nope.ts: no such file');
    await write('hooks.json', '{}');
    expect((await loadError('hooks.json')).message).toMatch(/^hooks\.json: a module must end in \.ts, /);
  });
});

/** A watcher whose reloads and errors tests can await, one at a time. */
async function watched(file: string): Promise<{
  watcher: UserModuleWatcher;
  nextReload(): Promise<UserModule>;
  nextError(): Promise<Error>;
}> {
  const reloads: Array<(module: UserModule) => void> = [];
  const errors: Array<(error: Error) => void> = [];
  const watcher = await watchUserModule(join(dir, file), {
    cwd: dir,
    settleMs: 20,
    maxReloads: 3,
    onReload: (module) => reloads.shift()?.(module),
    onError: (error) => errors.shift()?.(error),
  });
  watchers.push(watcher);
  return {
    watcher,
    nextReload: () => new Promise((done) => reloads.push(done)),
    nextError: () => new Promise((done) => errors.push(done)),
  };
}

describe('watchUserModule', () => {
  it('reloads a new instance when a local import changes, sharing package instances', async () => {
    await write('answer.ts', 'export const answer = 1;\n');
    await write(
      'hooks.ts',
      [
        "import { registry } from 'shared-state';",
        "import { answer } from './answer.ts';",
        'const instance = {};',
        'registry.add(instance);',
        'export default { answer, instance, registry };',
      ].join('\n'),
    );
    const { watcher, nextReload } = await watched('hooks.ts');
    const first = watcher.current.exports.default as {
      answer: number;
      instance: object;
      registry: Set<object>;
    };
    expect(first.answer).toBe(1);

    const reloaded = nextReload();
    await write('answer.ts', 'export const answer = 2;\n');
    const second = (await reloaded).exports.default as typeof first;
    expect(second.answer).toBe(2);
    expect(second.instance).not.toBe(first.instance); // a new module instance...
    expect(second.registry).toBe(first.registry); // ...on the same package instance
    expect(second.registry.size).toBe(2);
    expect(watcher.current.exports.default).toBe(second);
    expect(watcher.reloads).toBe(1);
  });

  it('sees a save by rename, and follows an import added by the change', async () => {
    await write('hooks.ts', 'export default 1;\n');
    const { nextReload } = await watched('hooks.ts');
    let reloaded = nextReload();
    await write('extra.ts', 'export const extra = 2;\n');
    await write('hooks.tmp', "import { extra } from './extra.ts';\nexport default extra;\n");
    await rename(join(dir, 'hooks.tmp'), join(dir, 'hooks.ts'));
    expect((await reloaded).exports.default).toBe(2);

    reloaded = nextReload();
    await write('extra.ts', 'export const extra = 3;\n');
    expect((await reloaded).exports.default).toBe(3);
  });

  it('keeps the last good instance when a change does not load, and recovers on the next', async () => {
    await write('hooks.ts', 'export default "good";\n');
    const { watcher, nextReload, nextError } = await watched('hooks.ts');
    const failed = nextError();
    await write('hooks.ts', 'export default "bad" +;\n');
    expect((await failed).message).toMatch(/^hooks\.ts:1:\d+: /);
    expect(watcher.current.exports.default).toBe('good');

    const reloaded = nextReload();
    await write('hooks.ts', 'export default "fixed";\n');
    expect((await reloaded).exports.default).toBe('fixed');
  });

  it('an onReload that throws (wrong shape) is reported, and the count of kept instances is bounded', async () => {
    await write('hooks.ts', 'export default 0;\n');
    const errors: Error[] = [];
    let waiting: (() => void) | undefined;
    let reloadSeen: (() => void) | undefined;
    const watcher = await watchUserModule(join(dir, 'hooks.ts'), {
      cwd: dir,
      settleMs: 20,
      maxReloads: 2,
      onReload: (module) => {
        if (module.exports.default === 1) throw new Error('wrong shape');
        reloadSeen?.();
      },
      onError: (error) => {
        errors.push(error);
        waiting?.();
      },
    });
    watchers.push(watcher);
    const nextError = () => new Promise<void>((done) => (waiting = done));

    let failed = nextError();
    await write('hooks.ts', 'export default 1;\n');
    await failed;
    expect(errors.at(-1)?.message).toBe('wrong shape');

    const reloaded = new Promise<void>((done) => (reloadSeen = done));
    await write('hooks.ts', 'export default 2;\n');
    await reloaded;
    expect(watcher.reloads).toBe(2);
    failed = nextError();
    await write('hooks.ts', 'export default 3;\n');
    await failed;
    expect(errors.at(-1)?.message).toMatch(/reloaded 2 times already .* restart to load it/);
    expect(watcher.current.exports.default).toBe(2);
  });
});
