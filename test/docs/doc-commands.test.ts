/**
 * The shell commands of README.md, docs/local-runtime.md and docs/console.md, run as written through
 * `sh -c` (test/docs/command-inventory.ts lists them all and what runs the others). Ports are the only
 * change: `npm start` gets PORT, and `localhost:3001`, `--port 8080` and `127.0.0.1:8000` become free ports,
 * so the test never meets a server someone else left running; `0.0.0.0` becomes 127.0.0.1 (loopback only).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../deploy/serverless/lib/free-port.ts';
import { TestClient } from '../runtimes/local/client.ts';
import { freshShellEnv, runShell, type ShellCommand } from '../support/shell-command.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** npm, npx and a JVM on a loaded 2-core machine: generous, and every wait ends as soon as it can. */
const START = 60_000;

/** The commands, verbatim from the docs. */
const Docs = {
  start: 'npm install && npm start',
  startAlone: 'npm start',
  wscat: 'npx wscat -c ws://localhost:3001',
  stats: 'curl -s http://localhost:3001/stats',
  topics: "curl -s 'http://localhost:3001/admin/topics?limit=10'",
  connections: 'curl -s http://localhost:3001/admin/connections',
  history: "curl -s 'http://localhost:3001/admin/history?topic=general&limit=5'",
  demo: 'npm run demo',
  demoUrl: 'npm run demo -- --url ws://localhost:3001',
  devPort: 'npx topicsocket dev --port 8080 --host 0.0.0.0',
  dynamodbLocal: 'npx topicsocket dynamodb-local --port 8000',
  devDynamodb: 'npx topicsocket dev --store dynamodb --dynamodb-endpoint http://127.0.0.1:8000',
} as const;

function onPorts(command: string, ports: { server?: number; dev?: number; dynamodb?: number }): string {
  let local = command;
  if (ports.server) local = local.replaceAll('localhost:3001', `127.0.0.1:${ports.server}`);
  if (ports.dev) local = local.replace('--port 8080', `--port ${ports.dev}`);
  if (ports.dynamodb)
    local = local
      .replace('--port 8000', `--port ${ports.dynamodb}`)
      .replace('127.0.0.1:8000', `127.0.0.1:${ports.dynamodb}`);
  return local.replace('--host 0.0.0.0', '--host 127.0.0.1');
}

const running: ShellCommand[] = [];
function run(command: string, env: NodeJS.ProcessEnv = freshShellEnv()): ShellCommand {
  const shell = runShell(command, { cwd: ROOT, env });
  running.push(shell);
  return shell;
}

/** Runs a command to completion; resolves with its output. */
async function output(command: string): Promise<string> {
  const shell = run(command);
  const code = await shell.exited;
  expect(code, shell.output()).toBe(0);
  return shell.output();
}

/** Ctrl-C ends `sh` by the signal, so its exit code says nothing: no error or stack trace was printed. */
function cleanExit(shell: ShellCommand): boolean {
  return !/\bError\b|^\s+at /m.test(shell.output());
}

const URL_LINE = /WebSocket URL\s+ws:\/\/127\.0\.0\.1:(\d+)/;

afterAll(async () => {
  await Promise.all(running.map((shell) => shell.stop()));
});

describe('README and docs/local-runtime.md, docs/console.md: `npm start` and what runs against it', () => {
  let port: number;
  let server: ShellCommand;

  beforeAll(async () => {
    port = await freePort();
    // README's `npm install && npm start`: the install is .ci/run's `npm ci`; `npm start` runs as written.
    expect(Docs.start.endsWith(Docs.startAlone)).toBe(true);
    server = run(Docs.startAlone, freshShellEnv({ PORT: String(port) }));
    await server.waitFor(URL_LINE, START);
  }, START + 10_000);

  it('`npm start` listens on $PORT and names the console', () => {
    expect(server.output()).toMatch(new RegExp(`ws://127\\.0\\.0\\.1:${port}`));
    expect(server.output()).toContain(`http://127.0.0.1:${port}/`);
  });

  it("the README's wscat transcript: each frame sent gets the answer shown (epochs aside)", async () => {
    expect(Docs.wscat).toContain('ws://localhost:3001');
    const readme = readFileSync(`${ROOT}README.md`, 'utf8');
    const block = readme.slice(readme.indexOf(Docs.wscat));
    const transcript = block.slice(0, block.indexOf('```')).split('\n').slice(1);
    const client = await TestClient.open(onPorts('ws://localhost:3001', { server: port }));
    try {
      let epoch: string | undefined;
      let answers = 0;
      for (const line of transcript) {
        if (line.startsWith('> ')) client.ws.send(line.slice(2));
        if (!line.startsWith('< ')) continue;
        const expected = JSON.parse(line.slice(2)) as Record<string, unknown>;
        const actual = JSON.parse(await client.nextText()) as Record<string, unknown>;
        epoch ??= String(actual.epoch);
        expect(actual).toEqual({ ...expected, epoch });
        answers++;
      }
      expect(answers).toBe(3);
    } finally {
      client.ws.close();
    }
  });

  it('`curl -s …/stats` answers the figures', async () => {
    const stats = JSON.parse(await output(onPorts(Docs.stats, { server: port })));
    expect(stats).toMatchObject({ connections: expect.any(Number), totals: expect.any(Object) });
  });

  it("`npm run demo -- --url ws://localhost:3001` runs against it: its traffic shows in the console's listings", async () => {
    const demo = run(onPorts(Docs.demoUrl, { server: port }));
    await demo.waitFor(/ws2 IN .*count is 1/, START);
    expect(demo.output()).not.toContain('local server started by the demo');

    const topics = JSON.parse(await output(onPorts(Docs.topics, { server: port })));
    expect(topics.topics).toContainEqual(expect.objectContaining({ topic: 'general', subscribers: 1 }));
    const connections = JSON.parse(await output(onPorts(Docs.connections, { server: port })));
    expect(connections.connections).toContainEqual(expect.objectContaining({ subscriptions: ['general'] }));
    const history = JSON.parse(await output(onPorts(Docs.history, { server: port })));
    expect(history.messages.map((message: { data: unknown }) => message.data)).toContain('count is 1');

    await demo.stop('SIGINT');
    expect(cleanExit(demo), demo.output()).toBe(true);
  });
});

describe('docs/local-runtime.md: commands that start their own server', () => {
  it('`npm run demo` starts a server of its own and runs the two clients until Ctrl-C', async () => {
    const demo = run(Docs.demo);
    await demo.waitFor(/ws2 IN .*count is 1/, START);
    expect(demo.output()).toContain('(local server started by the demo)');
    await demo.stop('SIGINT');
    expect(cleanExit(demo), demo.output()).toBe(true);
  });

  it('`npx topicsocket dev --port 8080 --host 0.0.0.0` listens where it is told', async () => {
    const dev = await freePort();
    const shell = run(onPorts(Docs.devPort, { dev }));
    const [, listening] = await shell.waitFor(URL_LINE, START);
    expect(Number(listening)).toBe(dev);
    await shell.stop('SIGINT');
  });

  it('`npx topicsocket dynamodb-local --port 8000`, then `dev --store dynamodb` against it', async () => {
    const ports = { dynamodb: await freePort(), server: await freePort() };
    const dynamo = run(onPorts(Docs.dynamodbLocal, ports));
    await dynamo.waitFor(/Next, in another shell: .*--dynamodb-endpoint http:\/\/\S+/, START);
    expect(dynamo.output()).toContain(`DynamoDB Local  http://127.0.0.1:${ports.dynamodb}`);
    expect(dynamo.output()).toContain(`--dynamodb-endpoint http://127.0.0.1:${ports.dynamodb}`);

    const dev = run(onPorts(Docs.devDynamodb, ports), freshShellEnv({ PORT: String(ports.server) }));
    await dev.waitFor(URL_LINE, START);
    const stats = JSON.parse(await output(onPorts(Docs.stats, ports)));
    // The DynamoDB store cannot count without a scan; the console says so.
    expect(stats).toMatchObject({ subscriptions: null, topics: null });

    await dev.stop('SIGINT');
    await dynamo.stop('SIGINT');
    expect(cleanExit(dynamo)).toBe(true);
  });
});
