/**
 * The seed article's two-client demo, unchanged frames and all, against topicsocket's local runtime.
 *
 *   npm run demo                       # starts its own server on a free port, runs until Ctrl-C
 *   npm run demo -- --count 5          # stops after ws2 received 5 messages
 *   npm run demo -- --url ws://127.0.0.1:3001   # against a running `npm start` (or a deployed stage)
 *
 * ws1 publishes `{"type":"message","topic":"general","message":"count is N"}` every second; ws2 subscribes
 * with `{"type":"subscribe","topic":"general"}` and prints what it receives.
 */
import { parseArgs } from 'node:util';
import { WebSocket } from 'ws';
import { type LocalServer, startLocalServer } from '../src/runtimes/local/index.ts';

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    count: { type: 'string' },
    interval: { type: 'string', default: '1000' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log('Usage: npm run demo -- [--url ws://host:port] [--count N] [--interval MS]');
  process.exit(0);
}
const count = values.count === undefined ? Number.POSITIVE_INFINITY : Number(values.count);
const intervalMs = Number(values.interval);
if (!(count > 0) || !(intervalMs > 0)) {
  console.error('--count and --interval must be positive numbers');
  process.exit(2);
}

const server: LocalServer | undefined = values.url ? undefined : await startLocalServer({ port: 0 });
const url = values.url ?? (server as LocalServer).url;
console.log(`seed demo against ${url}${server ? ' (local server started by the demo)' : ''}`);

const ws1 = new WebSocket(url, { perMessageDeflate: false });
const ws2 = new WebSocket(url, { perMessageDeflate: false });
let timer: NodeJS.Timeout | undefined;
let received = 0;

async function stop(code: number): Promise<never> {
  clearInterval(timer);
  for (const ws of [ws1, ws2]) ws.close(1000, 'demo done');
  await server?.close();
  process.exit(code);
}

for (const [name, ws] of [
  ['WS1', ws1],
  ['WS2', ws2],
] as const) {
  ws.on('error', (error) => {
    console.error(`${name} error: ${error.message}`);
    void stop(1);
  });
}

await Promise.all([ws1, ws2].map((ws) => new Promise((resolve) => ws.once('open', resolve))));
console.log('WS1 connected');
console.log('WS2 connected');

ws2.send(JSON.stringify({ type: 'subscribe', topic: 'general' }), (error) => {
  if (error) console.log(`Error occurred while send data ${error.message}`);
});
ws2.on('message', (message) => {
  console.log(`ws2 IN ${message}`);
  if (++received >= count) void stop(0);
});

let sent = 0;
timer = setInterval(() => {
  const message = JSON.stringify({ type: 'message', message: `count is ${sent}`, topic: 'general' });
  ws1.send(message, (error) => {
    if (error) console.log(`Error occurred while send data ${error.message}`);
    console.log(`WS1 OUT ${message}`);
  });
  sent++;
  if (sent > count + 5) {
    console.error(`sent ${sent} messages but ws2 received only ${received}`);
    void stop(1);
  }
}, intervalMs);

process.once('SIGINT', () => void stop(0));
process.once('SIGTERM', () => void stop(0));
