#!/usr/bin/env node
/**
 * The `topicsocket` executable. Installed, `npx topicsocket <command>` runs the compiled dist/cli/main.js (the
 * package's `bin`); in a clone, `npm start` runs this source with tsx (`node --import tsx src/cli/main.ts`).
 */
import { runCli } from './run.ts';

const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

const exitCode = await runCli(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  colors: process.stdout.isTTY === true,
  env: process.env,
  untilStopped: () =>
    new Promise((resolve) => {
      for (const signal of STOP_SIGNALS) {
        process.once(signal, () => {
          // A second Ctrl-C while shutting down means "now".
          for (const again of STOP_SIGNALS) process.once(again, () => process.exit(130));
          resolve(signal);
        });
      }
    }),
});
process.exitCode = exitCode;
