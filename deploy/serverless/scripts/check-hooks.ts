/**
 * `node --import tsx scripts/check-hooks.ts <file>`: loads a server hooks module as `topicsocket dev` would
 * and checks its shape (deploy/model/hooks.ts), for plugins/hooks-check.cjs. A process of its own, so
 * whatever the module leaves running at load (a timer, a client) cannot keep `serverless` alive; it exits
 * explicitly for the same reason. Prints the summary, or `file:line:column: reason` and exits 1.
 */
import { checkHooksModule } from '../../model/hooks.ts';

const file = process.argv[2];
if (!file) {
  console.error('usage: check-hooks.ts <hooks module>');
  process.exit(2);
}
try {
  console.log(await checkHooksModule(file));
  process.exit(0);
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
