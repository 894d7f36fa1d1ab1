/**
 * Setup file of the `unit` project (vitest.config.ts): a unit test opens no socket, listens on no port and
 * starts no child process (so no DynamoDB Local, esbuild or CLI child either). Whatever tries is refused with
 * an error that says where the file belongs, so the split in test/projects.ts cannot rot silently.
 */
import childProcess from 'node:child_process';
import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';

const refuse = (what: string) => () => {
  throw new Error(
    `a unit test ${what}: list this file in the integration project instead (test/projects.ts)`,
  );
};

net.Server.prototype.listen = refuse('may not listen on a port');
net.Socket.prototype.connect = refuse('may not open a socket');
const spawners = ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork'] as const;
for (const name of spawners) {
  Object.defineProperty(childProcess, name, { value: refuse('may not start a child process') });
}
// `import { spawn } from 'node:child_process'` reads the ESM facade: bring it in line with the patched module.
syncBuiltinESMExports();
