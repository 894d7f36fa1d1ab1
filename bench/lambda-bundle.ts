import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { BundlingModel } from '../deploy/model/function.ts';

const repoRoot = fileURLToPath(new URL('../', import.meta.url));

/**
 * Bundles a Lambda entry exactly as the deploy tools do (deploy/model/function.ts: CommonJS, minified,
 * everything bundled, source map), into `outfile`. Used by the bundle-size extra and the aws-fanout bench.
 * `sourceRoot`: another checkout of the sources (an older commit, for a same-run baseline); its packages
 * come from this repository's node_modules.
 */
export async function buildLambdaBundle(
  entry: string,
  outfile: string,
  sourceRoot = repoRoot,
  /** The model's hooks alias (deploy/model/hooks.ts: TOPICSOCKET_HOOKS at synth/package time), if any. */
  alias: Readonly<Record<string, string>> = {},
): Promise<Metafile> {
  const result = await build({
    entryPoints: [join(sourceRoot, entry)],
    nodePaths: [join(repoRoot, 'node_modules')],
    outfile,
    bundle: true,
    platform: 'node',
    target: BundlingModel.target,
    format: BundlingModel.format,
    mainFields: [...BundlingModel.mainFields],
    minify: BundlingModel.minify,
    sourcemap: BundlingModel.sourceMap,
    external: [...BundlingModel.externalModules],
    alias: { ...alias },
    metafile: true,
    logLevel: 'silent',
  });
  return result.metafile;
}
