import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The arrows that must never exist (docs/architecture.md, "Dependency rules"), checked on the sources: for
 * each layer, the layers and packages its files may import. `import type` counts too, except where a rule
 * says types only: a type import still couples the code, even if it costs nothing at run time.
 */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

interface Rule {
  /** Which files the rule covers: a folder or file under src/, matched as a prefix. */
  layer: string;
  /** Folders/files under src/ its files may import (its own layer is always allowed). */
  mayImport: readonly string[];
  /** Packages it may import (node: builtins are listed like packages: the core may not open sockets). */
  packages: readonly (string | RegExp)[];
  /** Layers it may import types from only (`import type`). */
  typesFrom?: readonly string[];
}

const rules: readonly Rule[] = [
  // The wire protocol: both directions, no dependencies but the schema library.
  { layer: 'src/protocol/', mayImport: [], packages: ['zod'] },
  // Transport-agnostic: no AWS, no ws, no HTTP, no stores, no runtimes.
  { layer: 'src/core/', mayImport: ['src/protocol/'], packages: ['jose', 'node:crypto'] },
  { layer: 'src/stores/memory/', mayImport: ['src/core/', 'src/protocol/', 'src/stores/'], packages: [] },
  {
    layer: 'src/stores/dynamodb/',
    mayImport: ['src/core/', 'src/protocol/', 'src/stores/epoch.ts', 'src/stores/merged-pages.ts'],
    packages: [/^@aws-sdk\//, 'node:crypto'],
  },
  // The API Gateway emulator hosts any Lambda-shaped handler: it knows nothing of the broker or the stores.
  {
    layer: 'src/runtimes/emulator/',
    mayImport: ['src/protocol/', 'src/core/ports/', 'src/core/events.ts', 'src/core/limits/'],
    packages: ['ws', /^node:/],
  },
  {
    layer: 'src/runtimes/aws/',
    mayImport: ['src/core/', 'src/protocol/', 'src/stores/dynamodb/'],
    // @topicsocket/deployed-hooks: the virtual module the deploy tools alias to the hooks file (docs/hooks.md).
    packages: [
      /^@aws-sdk\//,
      /^@aws-lambda-powertools\//,
      /^@smithy\//,
      'aws-lambda',
      '@topicsocket/deployed-hooks',
      /^node:/,
    ],
  },
  // The dev server: never the AWS runtime (the local server loads no AWS SDK: test/packages/import-graph).
  {
    layer: 'src/runtimes/local/',
    mayImport: [
      'src/core/',
      'src/protocol/',
      'src/stores/index.ts',
      'src/stores/memory/',
      'src/runtimes/emulator/',
    ],
    packages: ['ws', 'esbuild', /^node:/],
  },
  // The SDK is its own package: protocol types and the dependency-free reader of server frames only.
  {
    layer: 'src/client/',
    mayImport: [
      'src/protocol/codes.ts',
      'src/protocol/frames.ts',
      'src/protocol/limits.ts',
      'src/protocol/pattern.ts',
      'src/protocol/server-frames.ts',
      'src/protocol/type-equality.ts',
    ],
    packages: [],
  },
  {
    layer: 'src/console/',
    mayImport: ['src/client/'],
    packages: [],
    typesFrom: ['src/core/', 'src/protocol/'],
  },
];

interface Import {
  specifier: string;
  typeOnly: boolean;
}

function importsOf(file: string): Import[] {
  const source = readFileSync(file, 'utf8');
  const found: Import[] = [];
  for (const match of source.matchAll(/^\s*(import|export)\s+(type\s+)?[^;]*?\sfrom\s*'([^']+)'/gms)) {
    found.push({ specifier: match[3] as string, typeOnly: match[2] !== undefined });
  }
  for (const match of source.matchAll(/^\s*import\s*'([^']+)'/gm)) {
    found.push({ specifier: match[1] as string, typeOnly: false });
  }
  for (const match of source.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g)) {
    found.push({ specifier: match[1] as string, typeOnly: false });
  }
  return found;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.ts'))
    .map((name) => join(dir, name));
}

const packageName = (specifier: string) =>
  specifier.startsWith('@')
    ? specifier.split('/').slice(0, 2).join('/')
    : (specifier.split('/')[0] as string);

function violations(rule: Rule): string[] {
  const found: string[] = [];
  for (const file of sourceFiles(rule.layer.replace(/\/$/, ''))) {
    for (const { specifier, typeOnly } of importsOf(join(root, file))) {
      if (specifier.startsWith('.')) {
        const target = relative(root, resolve(root, dirname(file), specifier));
        const allowed = [rule.layer, ...rule.mayImport, ...(typeOnly ? (rule.typesFrom ?? []) : [])];
        if (!allowed.some((prefix) => target === prefix || target.startsWith(prefix))) {
          found.push(`${file} -> ${target}${typeOnly ? ' (types)' : ''}`);
        }
      } else {
        const name = packageName(specifier);
        if (typeOnly && name.startsWith('@types/')) continue;
        const ok = rule.packages.some((allowed) =>
          typeof allowed === 'string' ? allowed === name : allowed.test(name),
        );
        if (!ok) found.push(`${file} -> package ${name}`);
      }
    }
  }
  return found;
}

describe('dependency rules between layers', () => {
  it.each(rules.map((rule) => [rule.layer, rule] as const))('%s imports only what it may', (_, rule) => {
    expect(violations(rule)).toEqual([]);
  });

  it('catches a forbidden arrow (the check reads real imports)', () => {
    const strict: Rule = { layer: 'src/core/', mayImport: [], packages: [] };
    expect(violations(strict).some((line) => line.includes('-> src/protocol/'))).toBe(true);
    expect(violations(strict).some((line) => line.includes('package jose'))).toBe(true);
  });
});
