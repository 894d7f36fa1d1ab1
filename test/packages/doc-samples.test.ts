import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * Every TypeScript sample of README.md, docs/client.md, docs/deploy.md and docs/hooks.md, type-checked against the built packages (as a
 * user's project sees them: `topicsocket`, `topicsocket/client`... resolve through package.json `exports` to
 * dist/, not to src/), so a sample cannot rot. A block preceded by `<!-- sample: declarations -->` is a
 * listing of declarations (an interface, a class shape) and is checked as a declaration file; its names must
 * be exported by `topicsocket/client`. `<script type="module">` blocks of HTML samples must parse and load
 * the package's prebuilt browser file.
 */
const root = fileURLToPath(new URL('../../', import.meta.url));
const documents = ['README.md', 'docs/client.md', 'docs/deploy.md', 'docs/hooks.md'];
const DECLARATIONS_MARKER = '<!-- sample: declarations -->';
const BROWSER_FILE = 'topicsocket-client.min.js';
/** Where the samples are placed (in memory only): inside the repo, so `topicsocket` resolves to this package. */
const samplesDir = join(root, 'test/packages');

/** Functions the samples call that stand for the reader's own code. */
const readerCode = `
declare function fetchTokenFromMyAuthService(): Promise<string>;
declare function getJwt(): Promise<string>;
`;

interface Sample {
  document: string;
  line: number;
  lang: string;
  code: string;
  declarations: boolean;
}

function samples(document: string): Sample[] {
  const lines = readFileSync(join(root, document), 'utf8').split('\n');
  const found: Sample[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w+)\s*$/.exec(lines[i] ?? '');
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i] ?? ''); i++) body.push(lines[i] ?? '');
    found.push({
      document,
      line: start + 1,
      lang: open[1] ?? '',
      code: body.join('\n'),
      declarations: (lines[start - 1] ?? '').trim() === DECLARATIONS_MARKER,
    });
  }
  return found;
}

const all = documents.flatMap(samples);
const typescript = all.filter((sample) => sample.lang === 'ts' || sample.lang === 'typescript');
const html = all.filter((sample) => sample.lang === 'html');

function declaredNames(code: string): string[] {
  return [...code.matchAll(/^(?:export\s+)?(?:interface|class|type)\s+(\w+)/gm)].map(
    (match) => match[1] ?? '',
  );
}

/** The sample as a file: modules as they are; declaration listings with the client types they mention. */
function sampleFile(sample: Sample): { name: string; text: string } {
  const base = join(samplesDir, `${sample.document.replace(/\W/g, '-')}-${sample.line}`);
  if (!sample.declarations) return { name: `${base}.ts`, text: sample.code };
  const names = declaredNames(sample.code);
  const checks = names.map((name) => `import type { ${name} as Exported${name} } from 'topicsocket/client';`);
  const used = ['ClientErrorCode', 'ErrorCode', 'JsonValue'].filter((name) =>
    new RegExp(`\\b${name}\\b`).test(sample.code),
  );
  const imports = used.length ? [`import type { ${used.join(', ')} } from 'topicsocket/client';`] : [];
  return { name: `${base}.d.ts`, text: [...imports, ...checks, sample.code].join('\n') };
}

/** Type-checks the files in memory; module resolution reads the real node_modules and dist/. */
function typeCheck(files: { name: string; text: string }[]): string[] {
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'],
    types: ['node'],
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    noUnusedLocals: false,
    typeRoots: [join(root, 'node_modules/@types')],
  };
  const virtual = new Map(files.map((file) => [file.name, file.text]));
  virtual.set(join(samplesDir, 'reader-code.d.ts'), readerCode);
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.fileExists = (name) => virtual.has(name) || fileExists(name);
  host.readFile = (name) => virtual.get(name) ?? readFile(name);
  host.getSourceFile = (name, language, ...rest) => {
    const text = virtual.get(name);
    return text === undefined
      ? getSourceFile(name, language, ...rest)
      : ts.createSourceFile(name, text, language);
  };
  const program = ts.createProgram([...virtual.keys()], options, host);
  return ts.getPreEmitDiagnostics(program).map((diagnostic) => {
    const where = diagnostic.file
      ? `${diagnostic.file.fileName.slice(root.length)}:${diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start ?? 0).line + 1}`
      : '';
    return `${where} ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`;
  });
}

describe('documentation samples', () => {
  it('finds the samples (each document has TypeScript ones)', () => {
    for (const document of documents) {
      expect(typescript.filter((sample) => sample.document === document).length).toBeGreaterThan(0);
    }
  });

  it('every TypeScript sample type-checks against the built packages', () => {
    const files = typescript.map(sampleFile);
    // One more file, broken on purpose, in the same program: proof that the check can fail.
    const broken = {
      name: join(samplesDir, 'doc-sample.broken.ts'),
      text: "import { nope } from 'topicsocket/client';",
    };
    const problems = typeCheck([...files, broken]);
    expect(problems.filter((problem) => !problem.includes('doc-sample.broken.ts'))).toEqual([]);
    expect(problems.join('\n')).toMatch(/doc-sample\.broken\.ts:1 .*nope/);
  });

  it('a declaration listing names what topicsocket/client exports', () => {
    const listings = typescript.filter((sample) => sample.declarations);
    expect(listings.length).toBeGreaterThan(0);
    for (const sample of listings) expect(declaredNames(sample.code).length).toBeGreaterThan(0);
  });

  it('HTML samples: each module script parses and imports the prebuilt browser file', () => {
    const scripts = html.flatMap((sample) =>
      [...sample.code.matchAll(/<script type="module">([\s\S]*?)<\/script>/g)].map((match) => ({
        sample,
        code: match[1] ?? '',
      })),
    );
    expect(scripts.length).toBeGreaterThan(0);
    for (const { sample, code } of scripts) {
      const output = ts.transpileModule(code, {
        reportDiagnostics: true,
        compilerOptions: { allowJs: true },
      });
      expect(output.diagnostics ?? [], `${sample.document}:${sample.line}`).toEqual([]);
      const imported = [...code.matchAll(/\bfrom\s+'([^']+)'/g)].map((match) => match[1] ?? '');
      expect(imported.length, `${sample.document}:${sample.line}`).toBeGreaterThan(0);
      for (const specifier of imported) expect(specifier.endsWith(`/${BROWSER_FILE}`)).toBe(true);
    }
    const manifest = JSON.parse(readFileSync(join(root, 'packages/client/package.json'), 'utf8')) as {
      exports: Record<string, unknown>;
    };
    expect(Object.keys(manifest.exports)).toContain(`./${BROWSER_FILE}`);
  });
});
