import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/** The web console's three files, built from `src/console/` with the client SDK bundled in. */
export interface ConsoleAssets {
  html: string;
  js: string;
  css: string;
}

export type ConsoleBuild = { ok: true; assets: ConsoleAssets } | { ok: false; message: string };

/** The part of esbuild's API the build needs; injectable so a test can play "esbuild is not installed". */
export type EsbuildLoader = () => Promise<Pick<typeof import('esbuild'), 'build'>>;

/**
 * `src/console/` next to the sources, `dist/console/` next to the compiled runtime: the same relative path
 * from this module. The package build (scripts/build-console.ts) writes the prebuilt files there.
 */
const CONSOLE_DIR = fileURLToPath(new URL('../../console/', import.meta.url));

/** File names of the prebuilt console, as the page (src/console/index.html) asks for them. */
export const PrebuiltConsoleFiles = { html: 'index.html', js: 'main.js', css: 'styles.css' } as const;

const loadInstalledEsbuild: EsbuildLoader = () => import('esbuild');

/**
 * Loads the console once, on first use, so servers that never serve it pay nothing. An installed package
 * serves the files prebuilt at `npm run build`; running from sources in a clone there are none, so the console
 * is bundled on the fly with esbuild (a devDependency). When that is missing too, the build fails with a
 * message saying what to do, and the server goes on serving everything else.
 */
export function consoleAssetBuilder(
  loadEsbuild: EsbuildLoader = loadInstalledEsbuild,
  dir: string = CONSOLE_DIR,
): () => Promise<ConsoleBuild> {
  let pending: Promise<ConsoleBuild> | undefined;
  return () => {
    pending ??= readPrebuilt(dir).then((prebuilt) => prebuilt ?? buildConsole(loadEsbuild, dir));
    return pending;
  };
}

async function readPrebuilt(dir: string): Promise<ConsoleBuild | undefined> {
  try {
    const [html, js, css] = await Promise.all(
      [PrebuiltConsoleFiles.html, PrebuiltConsoleFiles.js, PrebuiltConsoleFiles.css].map((name) =>
        readFile(`${dir}${name}`, 'utf8'),
      ),
    );
    return { ok: true, assets: { html: html ?? '', js: js ?? '', css: css ?? '' } };
  } catch {
    return undefined; // not prebuilt: running from sources
  }
}

async function buildConsole(loadEsbuild: EsbuildLoader, dir: string): Promise<ConsoleBuild> {
  let esbuild: Awaited<ReturnType<EsbuildLoader>>;
  try {
    esbuild = await loadEsbuild();
  } catch {
    return {
      ok: false,
      message:
        'The web console is built with esbuild, which is not installed (it is a devDependency). ' +
        'Run `npm install` in the topicsocket checkout, or start the server with --no-console.',
    };
  }
  try {
    const [html, assets] = await Promise.all([
      readFile(`${dir}index.html`, 'utf8'),
      bundleConsole(esbuild, dir),
    ]);
    return { ok: true, assets: { html, ...assets } };
  } catch (error) {
    return {
      ok: false,
      message: `The web console failed to build: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
}

/** Bundles `main.ts` and `styles.css` of the console sources in `dir`; used by the package build too. */
export async function bundleConsole(
  esbuild: Awaited<ReturnType<EsbuildLoader>>,
  dir: string = CONSOLE_DIR,
): Promise<Pick<ConsoleAssets, 'js' | 'css'>> {
  const result = await esbuild.build({
    entryPoints: [`${dir}main.ts`, `${dir}styles.css`],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    outdir: 'console-out',
    write: false,
    logLevel: 'silent',
  });
  const output = (extension: string) =>
    result.outputFiles?.find((file) => file.path.endsWith(extension))?.text ?? '';
  return { js: output('.js'), css: output('.css') };
}
