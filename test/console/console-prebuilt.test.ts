import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { consoleAssetBuilder, PrebuiltConsoleFiles } from '../../src/runtimes/local/console-assets.ts';

const noEsbuild = () => Promise.reject(new Error("Cannot find package 'esbuild'"));
const sources = fileURLToPath(new URL('../../src/console/', import.meta.url));
const prebuilt = `${mkdtempSync(join(tmpdir(), 'topicsocket-console-'))}/`;
afterAll(() => rmSync(prebuilt, { recursive: true, force: true }));

describe('web console assets', () => {
  it('serves the prebuilt files of an installed package without esbuild', async () => {
    writeFileSync(join(prebuilt, PrebuiltConsoleFiles.html), '<script type="module" src="/console/main.js">');
    writeFileSync(join(prebuilt, PrebuiltConsoleFiles.js), 'console.log("prebuilt")');
    writeFileSync(join(prebuilt, PrebuiltConsoleFiles.css), 'body{}');
    expect(await consoleAssetBuilder(noEsbuild, prebuilt)()).toEqual({
      ok: true,
      assets: {
        html: '<script type="module" src="/console/main.js">',
        js: 'console.log("prebuilt")',
        css: 'body{}',
      },
    });
  });

  it('bundles the sources with esbuild when there is no prebuilt console (a clone)', async () => {
    const build = await consoleAssetBuilder(undefined, sources)();
    expect(build.ok).toBe(true);
    if (build.ok) expect(build.assets.js.length).toBeGreaterThan(1000);
    expect(await consoleAssetBuilder(noEsbuild, sources)()).toMatchObject({ ok: false });
  });
});
