/**
 * `npm run package`: `serverless package` with dummy credentials, so it works without an AWS account.
 * Extra arguments are passed on (e.g. `-- --stage prod --package /tmp/out`).
 */
import { spawnSync } from 'node:child_process';
import { offlineEnv, serverlessBin, serviceDir } from '../lib/serverless-cli.ts';

const args = process.argv.slice(2);
const withStage = args.includes('--stage') ? args : ['--stage', 'dev', ...args];
const started = Date.now();
const result = spawnSync(process.execPath, [serverlessBin, 'package', ...withStage], {
  cwd: serviceDir,
  env: offlineEnv,
  stdio: 'inherit',
});
console.log(`serverless package finished in ${((Date.now() - started) / 1000).toFixed(1)} s`);
process.exit(result.status ?? 1);
