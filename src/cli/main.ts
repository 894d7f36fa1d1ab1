#!/usr/bin/env node
/**
 * The `topicsocket` executable. The package's `bin`, bin/topicsocket.js, loads the compiled dist/cli/main.js;
 * in a clone `npm start` runs this source with tsx.
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
