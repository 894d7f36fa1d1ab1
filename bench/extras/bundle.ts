import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { BundlingModel, FunctionModel } from '../../deploy/model/function.ts';
import { buildLambdaBundle } from '../lambda-bundle.ts';
import type { ExtraOutcome } from '../outcome.ts';

const run = promisify(execFile);

/** Loads the bundle in a fresh Node process and prints how long `require` took, in ms. */
const IMPORT_PROBE = `
const started = process.hrtime.bigint();
const module_ = require(process.argv[1]);
const ms = Number(process.hrtime.bigint() - started) / 1e6;
if (typeof module_.${FunctionModel.handler} !== 'function') throw new Error('no handler export');
process.stdout.write(String(ms));
`;

/**
 * Bundles the Lambda handler exactly as the deploy tools do (deploy/model/function.ts) and times a cold
 * import of it in fresh processes. Architecture (arm64) does not change a JavaScript bundle.
 */
export async function measureBundle(quick: boolean, log: (message: string) => void): Promise<ExtraOutcome> {
  const coldImports = quick ? 3 : 7;
  const title = `Lambda handler bundle (${FunctionModel.entry}, ${BundlingModel.target}, ${FunctionModel.architecture})`;
  const dir = mkdtempSync(join(tmpdir(), 'topicsocket-bundle-'));
  try {
    const outfile = join(dir, 'handler.cjs');
    const metafile = await buildLambdaBundle(FunctionModel.entry, outfile);
    const bytes = statSync(outfile).size;
    const inputs = Object.entries(
      metafile.outputs[Object.keys(metafile.outputs).find((o) => o.endsWith('.cjs')) ?? '']?.inputs ?? {},
    );
    const byPackage = new Map<string, number>();
    for (const [path, input] of inputs) {
      const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
      const name = match?.[1] ?? 'topicsocket (src)';
      byPackage.set(name, (byPackage.get(name) ?? 0) + input.bytesInOutput);
    }
    const largest = [...byPackage]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 6)
      .map(([name, size]) => `${name} ${(size / 1024).toFixed(0)} KiB`)
      .join(', ');
    const timings: number[] = [];
    for (let i = 0; i < coldImports; i++) {
      const { stdout } = await run(process.execPath, ['-e', IMPORT_PROBE, outfile], {
        env: {
          PATH: process.env.PATH,
          AWS_REGION: 'us-east-1',
          TOPICSOCKET_TABLE: 'bench',
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        },
      });
      timings.push(Number(stdout));
    }
    timings.sort((a, b) => a - b);
    const median = timings[Math.floor(timings.length / 2)] ?? 0;
    log(`bundle: ${bytes} bytes, cold import median ${median.toFixed(1)} ms`);
    return {
      title,
      status: 'ran',
      lines: [
        `bundle: ${(bytes / 1024).toFixed(1)} KiB minified (${BundlingModel.format}, everything bundled; source map not counted); largest parts: ${largest}`,
        `cold \`require\` of the bundle in a fresh Node ${process.version} process: median ${median.toFixed(1)} ms of ${coldImports} (min ${timings[0]?.toFixed(1)}, max ${timings.at(-1)?.toFixed(1)}); this machine is x64 and shared, Lambda arm64 will differ`,
      ],
    };
  } catch (error) {
    return { title, status: 'failed', lines: [String(error)] };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
