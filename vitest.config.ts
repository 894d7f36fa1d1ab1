import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { allTests, unitTests } from './test/projects.ts';

export default defineConfig({
  // Tests run against the sources, as tsconfig.json's `paths` does for tsc and tsx: the CLI imports the client
  // by its package name, which would otherwise need `npm run build` first. test/packages/ checks the build.
  resolve: {
    alias: [
      {
        find: /^@topicsocket\/client$/,
        replacement: fileURLToPath(new URL('./src/client/index.ts', import.meta.url)),
      },
      {
        // As tsconfig.json's `paths`: the Lambda entry points' deployed hooks, none in tests that import them.
        find: /^@topicsocket\/deployed-hooks$/,
        replacement: fileURLToPath(new URL('./src/runtimes/aws/no-hooks.ts', import.meta.url)),
      },
    ],
  },
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    // `npm run test:unit` / `test:integration` run one project; `vitest run` (npm test) runs both.
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: unitTests, setupFiles: ['test/support/unit-guard.ts'] },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: allTests,
          exclude: unitTests,
          // One DynamoDB Local JVM per run, shared by the DynamoDB test files (spawned lazily, never awaited here).
          globalSetup: ['test/support/dynamodb-local.global-setup.ts'],
        },
      },
    ],
  },
});
