import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { BundlingModel } from '../deploy/model/function.ts';

/**
 * Bundles a Lambda entry exactly as the deploy tools do (deploy/model/function.ts: CommonJS, minified,
 * everything bundled, source map), into `outfile`. Used by the bundle-size extra and the aws-fanout bench.
 */
export async function buildLambdaBundle(entry: string, outfile: string): Promise<Metafile> {
  const root = fileURLToPath(new URL('../', import.meta.url));
  const result = await build({
    entryPoints: [join(root, entry)],
    outfile,
    bundle: true,
    platform: 'node',
    target: BundlingModel.target,
    format: BundlingModel.format,
    minify: BundlingModel.minify,
    sourcemap: BundlingModel.sourceMap,
    external: [...BundlingModel.externalModules],
    metafile: true,
    logLevel: 'silent',
  });
  return result.metafile;
}
