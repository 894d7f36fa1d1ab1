import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { generatedFiles } from '../generate.ts';
import { serviceDir } from '../lib/serverless-cli.ts';

it('committed serverless.yml and handler-entry.ts are exactly what deploy/model generates', () => {
  for (const [name, content] of Object.entries(generatedFiles())) {
    expect(readFileSync(join(serviceDir, name), 'utf8'), `${name} is stale: run npm run generate`).toBe(
      content,
    );
  }
});
