import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const emulatorDir = join(root, 'src/runtimes/emulator');

/** Every relative import of a file, resolved to a path from the repository root. */
function importsOf(file: string): string[] {
  const source = readFileSync(file, 'utf8');
  return [...source.matchAll(/from '(\.[^']+)'/g)].map((match) =>
    relative(root, resolve(dirname(file), match[1] as string)),
  );
}

describe('the emulator stands on its own', () => {
  const files = readdirSync(emulatorDir).filter((name) => name.endsWith('.ts'));
  it.each(files)('%s imports neither the broker, the dev server nor a store', (name) => {
    const imports = importsOf(join(emulatorDir, name));
    const allowed = (path: string) =>
      path.startsWith('src/runtimes/emulator/') ||
      path.startsWith('src/protocol/') ||
      path.startsWith('src/core/ports/') ||
      path === 'src/core/events.ts' ||
      path.startsWith('src/core/limits/');
    expect(imports.filter((path) => !allowed(path))).toEqual([]);
  });
  it('reads the imports it checks', () => {
    expect(importsOf(join(emulatorDir, 'emulator.ts'))).toContain(
      'src/runtimes/emulator/connection-table.ts',
    );
  });
});
