/**
 * `npm run build`: both packages' dist/ folders, from the sources in src/ (docs/architecture.md, "Packages").
 *
 * 1. @topicsocket/client: tsc (packages/client/tsconfig.build.json) and a minified browser ES module
 *    (packages/client/dist/topicsocket-client.min.js) for `<script type="module">`.
 * 2. topicsocket: tsc (tsconfig.build.json) into dist/.
 * 3. The web console, bundled into dist/console/ so an installed server serves it without esbuild.
 *
 * Every dist/ is emptied first: a file deleted from src/ must not live on in a package.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { bundleConsole, PrebuiltConsoleFiles } from '../src/runtimes/local/console-assets.ts';

const root = fileURLToPath(new URL('../', import.meta.url));
const clientPackage = join(root, 'packages/client');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

/** The browser bundle: everything in one file, no externals (the client has no dependencies). */
const browserBundleOptions = {
  entryPoints: [join(root, 'src/client/index.ts')],
  bundle: true,
  minify: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  legalComments: 'none',
} as const satisfies esbuild.BuildOptions;

function compile(project: string): void {
  execFileSync(process.execPath, [tsc, '-p', project], { stdio: 'inherit', cwd: root });
}

const started = Date.now();
for (const dir of [join(root, 'dist'), join(clientPackage, 'dist')])
  rmSync(dir, { recursive: true, force: true });

compile(join(clientPackage, 'tsconfig.build.json'));
await esbuild.build({
  ...browserBundleOptions,
  outfile: join(clientPackage, 'dist/topicsocket-client.min.js'),
});

compile(join(root, 'tsconfig.build.json'));

const consoleSources = join(root, 'src/console/');
const consoleOut = join(root, 'dist/console/');
mkdirSync(consoleOut, { recursive: true });
const { js, css } = await bundleConsole(esbuild, consoleSources);
copyFileSync(join(consoleSources, 'index.html'), join(consoleOut, PrebuiltConsoleFiles.html));
writeFileSync(join(consoleOut, PrebuiltConsoleFiles.js), js);
writeFileSync(join(consoleOut, PrebuiltConsoleFiles.css), css);

console.log(`build: dist/ and packages/client/dist/ in ${((Date.now() - started) / 1000).toFixed(1)} s`);
