#!/usr/bin/env node
// The `topicsocket` executable: the compiled CLI (dist/, built by `npm run build`; an installed package ships
// it). The bin keeps this path across versions because npx caches the link to a local package's bin by path.
// In a clone, `npm start` runs the sources through tsx; this file needs the build first.
try {
  await import('../dist/cli/main.js');
} catch (error) {
  const missing =
    error instanceof Error &&
    'code' in error &&
    error.code === 'ERR_MODULE_NOT_FOUND' &&
    error.message.includes('dist/cli/main.js');
  if (!missing) throw error;
  process.stderr.write(
    'topicsocket: the compiled CLI is missing (dist/cli/main.js): run `npm run build` first, or `npm start` in a clone\n',
  );
  process.exitCode = 1;
}
