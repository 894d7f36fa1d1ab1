// Runs inside a fresh consumer project made by scripts/verify-packages.sh, with the packed tarballs installed:
// compiled JavaScript only, no tsx, no TypeScript. Starts `npx topicsocket dev` from the consumer, subscribes
// and publishes with the client (and once with `npx topicsocket publish`), fetches the prebuilt web console,
// then stops the server it started and checks that it exited cleanly.
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { dirname } from 'node:path';
import { createClient as createClientByPackage, TopicsocketError } from '@topicsocket/client';
import { MemoryStore, PROTOCOL_VERSION, parseClientFrame, startLocalServer } from 'topicsocket';
import { createClient, isTopicsocketError } from 'topicsocket/client';

const TIMEOUT_MS = 30_000;
const check = (condition, what) => {
  if (!condition) throw new Error(`check failed: ${what}`);
};

check(createClient === createClientByPackage, 'topicsocket/client and @topicsocket/client are one module');
check(isTopicsocketError(new TopicsocketError('closed', 'x')), 'one TopicsocketError class');
check(typeof startLocalServer === 'function' && typeof MemoryStore === 'function', 'server entry loads');
check(PROTOCOL_VERSION === 1 && parseClientFrame('{"type":"ping"}').ok, 'protocol validator runs');

// The same Node runs the server: npx and the bin's `#!/usr/bin/env node` find it first on PATH. The npm_*
// variables of an enclosing `npx -p node@22 node smoke.mjs` would make the inner npx fetch that package again.
const env = {
  ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name))),
  PATH: `${dirname(process.execPath)}:${process.env.PATH}`,
  LOG_LEVEL: 'warn',
};
const started = performance.now();
// Its own process group: npx runs the bin through a shell, and the stop signal must reach the server itself.
const dev = spawn('npx', ['--no-install', 'topicsocket', 'dev', '--port', '0'], {
  env,
  stdio: ['ignore', 'pipe', 'pipe'],
  detached: true,
});
const signalGroup = (signal) => {
  try {
    process.kill(-dev.pid, signal);
    return true;
  } catch {
    return false; // ESRCH: every process of the group has exited
  }
};
let output = '';
dev.stdout.on('data', (chunk) => {
  output += chunk;
});
dev.stderr.on('data', (chunk) => {
  output += chunk;
});
const exited = once(dev, 'exit');
// 'close' comes once every holder of the output pipes has exited: npm, its shell and the server.
const closed = once(dev, 'close');
const guard = setTimeout(() => {
  console.error(`smoke: timed out after ${TIMEOUT_MS} ms; server output:\n${output}`);
  signalGroup('SIGKILL');
  process.exit(1);
}, TIMEOUT_MS);

let client;
try {
  const ready = await new Promise((resolve, reject) => {
    const onData = () => {
      const url = /WebSocket URL\s+(ws:\/\/\S+)/.exec(output)?.[1];
      if (url && output.includes('Press Ctrl-C to stop.')) {
        dev.stdout.off('data', onData);
        resolve(url);
      }
    };
    dev.stdout.on('data', onData);
    exited.then(([code]) => reject(new Error(`topicsocket dev exited with ${code}:\n${output}`)));
  });
  const startupMs = performance.now() - started;
  const http = ready.replace(/^ws:/, 'http:');

  // Node 22+ has a global WebSocket; Node 20 takes the `ws` package.
  const WebSocket = globalThis.WebSocket ?? (await import('ws')).default;
  client = createClient({ url: ready, WebSocket });
  const messages = [];
  let notify = () => {};
  const subscription = client.subscribe('smoke/chat', (message) => {
    messages.push(message);
    notify();
  });
  await subscription.ready;
  const nextMessage = (count) =>
    new Promise((resolve) => {
      notify = () => messages.length >= count && resolve(messages[count - 1]);
      notify();
    });

  await client.publish('smoke/chat', { text: 'hello from the client' });
  const first = await nextMessage(1);
  check(first.data.text === 'hello from the client' && first.offset === 1, 'client publish delivered');

  const cli = spawn(
    'npx',
    ['--no-install', 'topicsocket', 'publish', 'smoke/chat', '{"text":"hello from the CLI"}', '--url', http],
    {
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const [cliCode] = await once(cli, 'exit');
  check(cliCode === 0, '`npx topicsocket publish` exits 0');
  const second = await nextMessage(2);
  check(second.data.text === 'hello from the CLI', 'CLI publish delivered');

  const page = await fetch(`${http}/`, { headers: { accept: 'text/html' } });
  check(page.status === 200 && (await page.text()).includes('/console/main.js'), 'console page served');
  const script = await fetch(`${http}/console/main.js`);
  check(script.status === 200 && (await script.text()).length > 1000, 'prebuilt console script served');

  await client.close();
  client = undefined;
  // As Ctrl-C in a terminal does: the signal goes to the whole group. npm itself may die of it; the server
  // closes its connections, says so, and exits.
  signalGroup('SIGTERM');
  await closed;
  check(/SIGTERM: closing \d+ connection/.test(output), `the server shut down on SIGTERM:\n${output}`);
  check(liveInGroup().length === 0, `no process of \`npx topicsocket dev\` is left: ${liveInGroup()}`);
  console.log(
    `smoke ok on Node ${process.version}: \`npx topicsocket dev\` ready in ${startupMs.toFixed(0)} ms, ` +
      'subscribe + publish (client and CLI), console served, server stopped',
  );
} finally {
  clearTimeout(guard);
  await client?.close();
  if (signalGroup(0)) signalGroup('SIGKILL');
}

/**
 * Processes of the server's group that still run. Exited ones may linger as zombies (state Z) where PID 1
 * of a container does not reap orphans: those are gone for this purpose.
 */
function liveInGroup() {
  try {
    const states = execFileSync('ps', ['-o', 'pid=,stat=,args=', '-g', String(dev.pid)], {
      encoding: 'utf8',
    });
    return states
      .split('\n')
      .filter((line) => line.trim() && !/^\s*\d+\s+Z/.test(line))
      .map((line) => line.trim());
  } catch {
    return []; // ps exits 1 when the group is empty
  }
}
