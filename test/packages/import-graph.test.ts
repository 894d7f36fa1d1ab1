import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

/**
 * What the built packages (`npm run build`, which `npm test` runs first) import, read from the compiled
 * files: a dependency that sneaks into the client, or an AWS SDK import that sneaks into the local server's
 * static import graph, fails here before it reaches a user.
 */
const root = fileURLToPath(new URL('../../', import.meta.url));
const clientDist = join(root, 'packages/client/dist');
const serverDist = join(root, 'dist');

/** Static `import`/`export ... from` specifiers, and `import()` of string literals (tsc's output format). */
function specifiers(file: string): { static: string[]; dynamic: string[] } {
  const code = readFileSync(file, 'utf8');
  const fromClauses = [...code.matchAll(/^\s*(?:import|export)\s[^;]*?\sfrom\s*["']([^"']+)["']/gms)];
  const bare = [...code.matchAll(/^\s*import\s*["']([^"']+)["']/gm)];
  const dynamic = [...code.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g)];
  return {
    static: [...fromClauses, ...bare].map((match) => match[1] ?? ''),
    dynamic: dynamic.map((match) => match[1] ?? ''),
  };
}

function jsFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.js'))
    .map((name) => join(dir, name));
}

/** Every bare specifier reachable from `entry` through static imports (what loading it loads). */
function staticPackages(entry: string): Set<string> {
  const packages = new Set<string>();
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const specifier of specifiers(file).static) {
      if (specifier.startsWith('.')) visit(resolve(dirname(file), specifier));
      else packages.add(specifier);
    }
  };
  visit(entry);
  return packages;
}

const heavy = (name: string) => /^@aws-sdk\/|^@aws-lambda-powertools\/|^@smithy\//.test(name);

describe('the built packages', () => {
  it('were built (npm test runs `npm run build` first)', () => {
    expect(existsSync(join(clientDist, 'client/index.js'))).toBe(true);
    expect(existsSync(join(serverDist, 'index.js'))).toBe(true);
  });

  it('@topicsocket/client imports nothing outside its own package: no ws, zod, jose, AWS SDK, no node:', () => {
    const files = jsFiles(clientDist);
    expect(files.length).toBeGreaterThan(5);
    const outside: string[] = [];
    for (const file of files) {
      const { static: imports, dynamic } = specifiers(file);
      for (const specifier of [...imports, ...dynamic]) {
        const target = specifier.startsWith('.') ? resolve(dirname(file), specifier) : undefined;
        if (!target || relative(clientDist, target).startsWith('..') || !existsSync(target)) {
          outside.push(`${relative(root, file)} -> ${specifier}`);
        }
      }
    }
    expect(outside).toEqual([]);
  });

  it('the prebuilt browser file is one self-contained ES module: bundling it pulls in nothing else', async () => {
    const min = join(clientDist, 'topicsocket-client.min.js');
    const result = await build({
      entryPoints: [min],
      bundle: true,
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    expect(Object.keys(result.metafile.inputs)).toEqual([relative(process.cwd(), min)]);
  });

  it('`topicsocket` and `topicsocket/client` load no AWS SDK or Powertools; `./aws` and `./dynamodb` do', () => {
    const local = staticPackages(join(serverDist, 'index.js'));
    expect([...local].filter(heavy)).toEqual([]);
    expect([...staticPackages(join(serverDist, 'entry/client.js'))]).toEqual(['@topicsocket/client']);
    // So that the two assertions above can fail: the AWS entry points do reach the SDK.
    expect([...staticPackages(join(serverDist, 'entry/aws.js'))].some(heavy)).toBe(true);
    expect([...staticPackages(join(serverDist, 'entry/dynamodb.js'))]).toContain('@aws-sdk/client-dynamodb');
  });

  it('the CLI loads each command on demand: `publish` and `dev` (memory store) statically reach no AWS SDK', () => {
    const main = staticPackages(join(serverDist, 'cli/main.js'));
    expect([...main].every((name) => name.startsWith('node:'))).toBe(true);
    const publish = staticPackages(join(serverDist, 'cli/commands/publish.js'));
    expect([...publish].every((name) => name.startsWith('node:'))).toBe(true);
    expect([...staticPackages(join(serverDist, 'cli/commands/dev.js'))].filter(heavy)).toEqual([]);
  });

  it('every package dist/ imports is one the manifest declares (a dependency, optional peer, or node:)', () => {
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
      peerDependencies?: Record<string, string>;
    };
    const declared = new Set([
      ...Object.keys(manifest.dependencies ?? {}),
      ...Object.keys(manifest.peerDependencies ?? {}),
    ]);
    const packageOf = (specifier: string) =>
      specifier.startsWith('@')
        ? specifier.split('/').slice(0, 2).join('/')
        : (specifier.split('/')[0] ?? '');
    const undeclared: string[] = [];
    for (const file of jsFiles(serverDist)) {
      const { static: imports, dynamic } = specifiers(file);
      for (const specifier of [...imports, ...dynamic]) {
        if (specifier.startsWith('.') || specifier.startsWith('node:')) continue;
        if (!declared.has(packageOf(specifier))) undeclared.push(`${relative(root, file)} -> ${specifier}`);
      }
    }
    // The Lambda entry points' virtual hooks module is aliased by the deploy tools and is not shipped.
    expect(undeclared).toEqual([]);
  });
});
