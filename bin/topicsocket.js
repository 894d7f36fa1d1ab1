#!/usr/bin/env node
// The `topicsocket` executable. An installed package has no src/ and runs the compiled CLI; a clone runs its
// sources through tsx (a devDependency), so `npx topicsocket` there never runs a stale build. The path stays
// bin/topicsocket.js across versions because npx caches the link to a local package's bin by that path.
import { existsSync } from 'node:fs';

const source = new URL('../src/cli/main.ts', import.meta.url);
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(source.href);
} else {
  await import('../dist/cli/main.js');
}
