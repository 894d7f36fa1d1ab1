/**
 * `npm run chat`: the chat example in one command. Starts `topicsocket dev` with ./hooks.ts and an HS256
 * secret for this session (the hooks require a token with `sub`), then prints a token for alice and one for
 * bob, and a URL for each (paste one into the web console's token field, or any WebSocket client). Edit
 * hooks.ts while it runs: the server reloads it and keeps every connection.
 */
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { SignJWT } from 'jose';
import { runCli } from '../../src/cli/run.ts';

const hooks = fileURLToPath(new URL('./hooks.ts', import.meta.url));
const secret = process.env.TOPICSOCKET_JWT_SECRET ?? randomBytes(32).toString('hex');
const env = { ...process.env, TOPICSOCKET_JWT_SECRET: secret };

const token = (sub: string) =>
  new SignJWT({ sub, subscribe: '*', publish: '*' })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setExpirationTime('2h')
    .sign(new TextEncoder().encode(secret));

let printed = false;
const exitCode = await runCli(['dev', '--hooks', hooks, ...process.argv.slice(2)], {
  out: (line) => {
    process.stdout.write(`${line}\n`);
    const url = /WebSocket URL\s+(ws:\/\/\S+)/.exec(line)?.[1];
    if (url && !printed) {
      printed = true;
      void Promise.all([token('alice'), token('bob')]).then(([alice, bob]) => {
        process.stdout.write(`  chat as alice        ${url}?token=${alice}\n`);
        process.stdout.write(`  chat as bob          ${url}?token=${bob}\n`);
        process.stdout.write('  try                  {"type":"subscribe","topic":"room/lobby","id":1}\n');
        process.stdout.write(
          '                       {"type":"publish","topic":"room/lobby","data":"<b>hi</b>","id":2}\n',
        );
        process.stdout.write('                       {"type":"rpc","method":"whoami","id":3}\n');
      });
    }
  },
  err: (line) => process.stderr.write(`${line}\n`),
  colors: process.stdout.isTTY === true,
  env,
  untilStopped: () =>
    new Promise((resolve) => {
      process.once('SIGINT', () => resolve('SIGINT'));
      process.once('SIGTERM', () => resolve('SIGTERM'));
    }),
});
process.exitCode = exitCode;
