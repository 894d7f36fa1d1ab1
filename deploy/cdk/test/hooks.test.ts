/**
 * TOPICSOCKET_HOOKS at synth: the functions' bundled assets hold the hooks module's code when it is set and
 * none of it when it is not (the same esbuild the deploy uses, through NodejsFunction).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { removeSynthOutputs, synthesize } from './synth-fixture.ts';

const HOOKS_FILE = fileURLToPath(new URL('../../../test/hooks/fixtures/test-hooks.ts', import.meta.url));
/** A string only the hooks module contains. */
const MARKER = 'onPublish exploded';

/** The bundled code of every function asset of a synthesized assembly. */
function bundles(outdir: string): string[] {
  return readdirSync(outdir)
    .filter((name) => name.startsWith('asset.'))
    .flatMap((name) => {
      try {
        return [readFileSync(join(outdir, name, 'index.js'), 'utf8')];
      } catch {
        return [];
      }
    });
}

afterAll(removeSynthOutputs);

describe('CDK: server hooks bundled at synth', () => {
  it('with TOPICSOCKET_HOOKS, the WebSocket and publish functions carry the hooks; without, no function does', {
    timeout: 180_000,
  }, () => {
    const hooked = synthesize({ stage: 'hooks', hooksFile: HOOKS_FILE });
    expect(hooked.model.hooks.file).toBe(HOOKS_FILE);
    const withHooks = bundles(hooked.outdir);
    // WebSocket and publish functions (the entry points that import the deployed hooks); not the others.
    expect(withHooks.filter((code) => code.includes(MARKER))).toHaveLength(2);

    const plain = synthesize({ stage: 'hooks' });
    expect(plain.model.hooks).toEqual({ file: undefined, alias: {} });
    const without = bundles(plain.outdir);
    expect(without.length).toBeGreaterThanOrEqual(2);
    expect(without.some((code) => code.includes(MARKER))).toBe(false);
  });
});
