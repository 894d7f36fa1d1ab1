import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

/** The browser bundle, built as `npm run build` builds it (scripts/build.ts), in memory. */
async function browserBundle() {
  const result = await build({
    entryPoints: ['src/client/index.ts'],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]?.text ?? '';
  return { code, inputs: Object.keys(result.metafile.inputs) };
}

describe('browser bundle', () => {
  it('bundles for the browser with no externals, no Node built-ins and no validator', async () => {
    const { code, inputs } = await browserBundle();
    expect(
      inputs.every((input) => input.startsWith('src/client/') || input.startsWith('src/protocol/')),
    ).toBe(true);
    // Only plain data from the protocol module: no zod, no validator.
    expect(inputs.filter((input) => input.startsWith('src/protocol/')).sort()).toEqual([
      'src/protocol/codes.ts',
      'src/protocol/server-frames.ts',
    ]);
    expect(inputs.some((input) => input.includes('node_modules'))).toBe(false);
    expect(code).not.toMatch(/\brequire\(|from"node:|import\("node:/);
  });

  // 6,077 bytes before connect refusals (typed errors, Retry-After, the `refused` state) and epoch-reset
  // recovery took it to 7,321 bytes; a dependency would add tens of KB, which this still catches.
  it('stays small: under 8 KB minified and gzipped (a guard against pulling in a dependency)', async () => {
    const { code } = await browserBundle();
    const gzipped = gzipSync(code, { level: 9 }).byteLength;
    console.info(`client bundle: ${code.length} bytes minified, ${gzipped} bytes gzipped`);
    expect(gzipped).toBeLessThan(8 * 1024);
  });
});
