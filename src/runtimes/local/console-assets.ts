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

const SOURCE_DIR = fileURLToPath(new URL('../../console/', import.meta.url));

const loadInstalledEsbuild: EsbuildLoader = () => import('esbuild');

/**
 * Builds the console once, on first use, so servers that never serve it pay nothing. esbuild is a
 * devDependency: when it is missing (a production install) the build fails with a message saying what to
 * do, and the server goes on serving everything else.
 */
export function consoleAssetBuilder(
  loadEsbuild: EsbuildLoader = loadInstalledEsbuild,
): () => Promise<ConsoleBuild> {
  let pending: Promise<ConsoleBuild> | undefined;
  return () => {
    pending ??= buildConsole(loadEsbuild);
    return pending;
  };
}

async function buildConsole(loadEsbuild: EsbuildLoader): Promise<ConsoleBuild> {
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
    const [html, result] = await Promise.all([
      readFile(`${SOURCE_DIR}index.html`, 'utf8'),
      esbuild.build({
        entryPoints: [`${SOURCE_DIR}main.ts`, `${SOURCE_DIR}styles.css`],
        bundle: true,
        minify: true,
        format: 'esm',
        platform: 'browser',
        target: 'es2022',
        outdir: 'console-out',
        write: false,
        logLevel: 'silent',
      }),
    ]);
    const output = (extension: string) =>
      result.outputFiles.find((file) => file.path.endsWith(extension))?.text ?? '';
    return { ok: true, assets: { html, js: output('.js'), css: output('.css') } };
  } catch (error) {
    return {
      ok: false,
      message: `The web console failed to build: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
}
