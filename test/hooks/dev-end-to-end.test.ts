/**
 * Server hooks through `topicsocket dev --hooks` end to end, in process (the real CLI, server and emulator)
 * with real WebSocket clients (the SDK on `ws`): the shared test module's paths as a client sees them, the
 * SDK's typed errors, `POST /publish` through onPublish, a module that does not load stopping startup, and
 * a reload that takes effect for the next request without dropping a connection.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { runCli } from '../../src/cli/run.ts';
import type { Message, StateChange } from '../../src/client/index.ts';
import { Clients } from '../client/support/clients.ts';
import { nextEvent } from '../client/support/events.ts';
import { recordingIo } from '../support/cli-in-process.ts';

const HOOKS_FILE = join(fileURLToPath(new URL('.', import.meta.url)), 'fixtures', 'test-hooks.ts');

async function startDev(args: string[], env: Record<string, string> = {}) {
  const cli = recordingIo({ LOG_LEVEL: 'error', ...env });
  const running = runCli(['dev', '--port', '0', '--no-console', ...args], cli.io);
  const started = await Promise.race([cli.printed(/WebSocket URL\s+(ws:\/\/\S+)/), running]);
  if (typeof started === 'number') return { cli, running, url: '', http: '' };
  const [, url] = started as RegExpMatchArray;
  const [, http] = (await cli.printed(/@connections API\s+(http:\/\/\S+)/)) as RegExpMatchArray;
  await cli.printed(/Press Ctrl-C/);
  return { cli, running, url: url as string, http: http as string };
}

/** One raw `history` request: what a replay (a resubscribe with `since`) would return. */
async function historyOf(url: string, topic: string): Promise<Array<{ offset: number; data: unknown }>> {
  const socket = new WebSocket(`${url}?name=reader`);
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  socket.send(JSON.stringify({ type: 'history', topic, id: 1 }));
  const answer = await new Promise<string>((resolve) =>
    socket.once('message', (data) => resolve(String(data))),
  );
  socket.close();
  return (JSON.parse(answer) as { messages: Array<{ offset: number; data: unknown }> }).messages;
}

describe('topicsocket dev --hooks, with real WebSocket clients', () => {
  let dev: Awaited<ReturnType<typeof startDev>>;
  const clients = new Clients();

  beforeAll(async () => {
    dev = await startDev(['--hooks', HOOKS_FILE, '--hook-timeout', '300']);
  });
  afterAll(async () => {
    await clients.closeAll();
    dev.cli.stop('SIGTERM');
    expect(await dev.running).toBe(0);
  });

  it('says which hooks it loaded', () => {
    expect(dev.cli.out.join('\n')).toMatch(
      /hooks\s+\S*test-hooks\.ts \(onConnect, onSubscribe, onPublish, onDisconnect, rpc\.whoami, .*rpc\.kick; reloaded on change\)/,
    );
  });

  it('onConnect: user data reaches later hooks; a refusal is a 403 the SDK reports as forbidden', async () => {
    const ada = await clients.connected({ url: `${dev.url}?name=Ada` });
    expect(await ada.rpc('whoami')).toMatchObject({ user: { name: 'Ada', sub: null } });
    const eve = clients.create({ url: `${dev.url}?mode=refuse` });
    const refused = await nextEvent(eve, 'state', (change: StateChange) => change.error !== undefined);
    expect(refused.error).toMatchObject({ code: 'forbidden', status: 403, serverMessage: 'no entry today' });
    expect(refused.state).toBe('refused');
  });

  it('onSubscribe and onPublish: accept, transform, refuse, throw, time out, wrong shape', async () => {
    const ada = await clients.connected({ url: `${dev.url}?name=Ada` });
    const bob = await clients.connected({ url: `${dev.url}?name=Bob` });
    await expect(bob.subscribe('sub-refuse/x', () => {}).ready).rejects.toMatchObject({
      code: 'forbidden',
      message: 'Bob may not read sub-refuse/x',
    });
    const got: Message[] = [];
    let stamped: (message: Message) => void = () => {};
    const arrived = new Promise<Message>((resolve) => (stamped = resolve));
    const topics = ['stamp/room', 'refuse/room', 'throw/room', 'slow/room', 'shape/room'];
    const listener = (message: Message) => {
      got.push(message);
      if (message.topic === 'stamp/room') stamped(message);
    };
    await Promise.all(topics.map((topic) => bob.subscribe(topic, listener).ready));

    for (const [topic, code] of [
      ['refuse/room', 'bad_request'],
      ['throw/room', 'internal_error'],
      ['slow/room', 'hook_timeout'],
      ['shape/room', 'internal_error'],
    ] as const) {
      await expect(ada.publish(topic, 'hi')).rejects.toMatchObject({ code });
    }
    const ack = await ada.publish('stamp/room', 'hi');
    expect(ack.offset).toBe(1);
    const received = await arrived;
    // Only the accepted message reached anyone, stamped; the refused ones are nowhere in history.
    expect(got.map((message) => message.topic)).toEqual(['stamp/room']);
    expect(received.data).toEqual({ text: 'hi', from: 'Ada', via: 'connection' });
    expect(await historyOf(dev.url, 'stamp/room')).toEqual([{ offset: 1, data: received.data }]);
    for (const topic of ['refuse/room', 'throw/room', 'slow/room', 'shape/room']) {
      expect(await historyOf(dev.url, topic)).toEqual([]);
    }
  });

  it('rpc: results and typed errors through client.rpc, ctx.send as a direct event', async () => {
    const ada = await clients.connected({ url: `${dev.url}?name=Ada` });
    expect(await ada.rpc('add', { a: 1, b: 2 })).toBe(3);
    for (const [method, code] of [
      ['nope', 'unknown_method'],
      ['missing', 'not_found'],
      ['explode', 'internal_error'],
      ['slow', 'hook_timeout'],
      ['shape', 'internal_error'],
    ] as const) {
      await expect(ada.rpc(method)).rejects.toMatchObject({ name: 'TopicsocketError', code });
    }
    const direct = nextEvent(ada, 'direct');
    expect(await ada.rpc('send', 'psst')).toBe('sent');
    expect(await direct).toEqual({ direct: 'psst' });
  });

  it('POST /publish runs onPublish with a backend caller', async () => {
    const bob = await clients.connected({ url: `${dev.url}?name=Bob` });
    let resolveReceived: (message: Message) => void = () => {};
    const received = new Promise<Message>((resolve) => (resolveReceived = resolve));
    await bob.subscribe('stamp/backend', (message) => resolveReceived(message)).ready;
    const post = (topic: string) =>
      fetch(`${dev.http}/publish`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ topic, data: 'from a backend' }),
      });
    expect((await post('refuse/backend')).status).toBe(400);
    expect((await post('stamp/backend')).status).toBe(200);
    expect((await received).data).toEqual({ text: 'from a backend', from: 'backend', via: 'backend' });
  });
});

describe('topicsocket dev --hooks: loading and reloading', () => {
  let dir: string;
  const clients = new Clients();

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dev-hooks-'));
  });
  afterAll(async () => {
    await clients.closeAll();
    await rm(dir, { recursive: true, force: true });
  });

  it('a module that does not load stops startup with its file, line and error', async () => {
    await writeFile(
      join(dir, 'broken.ts'),
      "import { defineHooks } from 'topicsocket';\nexport default defineHooks({ rpc: { a: () => } });\n",
    );
    const dev = await startDev([], { TOPICSOCKET_HOOKS: join(dir, 'broken.ts') });
    expect(await dev.running).toBe(1);
    expect(dev.cli.err.join('\n')).toMatch(
      /the hooks module does not load: \S*broken\.ts:2:\d+: Unexpected "}"/,
    );

    await writeFile(join(dir, 'typo.mjs'), 'export default { onPublsh() {} };\n');
    const typo = await startDev(['--hooks', join(dir, 'typo.mjs')]);
    expect(await typo.running).toBe(1);
    expect(typo.cli.err.join('\n')).toMatch(/unknown hook onPublsh; hooks are onConnect, onSubscribe/);
  });

  it('an edited module takes effect for the next request; connections stay up; a broken edit keeps the old hooks', async () => {
    const file = join(dir, 'hooks.ts');
    const version = (answer: string) =>
      `import { defineHooks, HookRejection } from 'topicsocket';\n` +
      `export default defineHooks({ rpc: { version: () => ${JSON.stringify(answer)}, refuse: () => new HookRejection('forbidden', 'no') } });\n`;
    await writeFile(file, version('one'));
    const dev = await startDev(['--hooks', file]);
    try {
      const client = await clients.connected({ url: dev.url });
      const states: string[] = [];
      client.on('state', (change) => states.push(change.state));
      expect(await client.rpc('version')).toBe('one');
      // HookRejection from `topicsocket` is the server's own (the CLI aliases the package to itself).
      await expect(client.rpc('refuse')).rejects.toMatchObject({ code: 'forbidden', message: 'no' });

      let reloaded = dev.cli.printed(/hooks reloaded: /);
      await writeFile(file, version('two'));
      await reloaded;
      expect(await client.rpc('version')).toBe('two');

      const failed = dev.cli.printed(/hooks not reloaded, the previous ones stay: \S*hooks\.ts:1:\d+/);
      await writeFile(file, 'export default {{;\n');
      await failed;
      expect(await client.rpc('version')).toBe('two');

      dev.cli.out.length = 0;
      dev.cli.lines.length = 0; // printed() also matches lines printed before the call
      reloaded = dev.cli.printed(/hooks reloaded: /);
      await writeFile(file, version('three'));
      await reloaded;
      expect(await client.rpc('version')).toBe('three');
      expect(states).toEqual([]); // never disconnected, never reconnected
      expect(client.state).toBe('connected');
    } finally {
      dev.cli.stop('SIGTERM');
      expect(await dev.running).toBe(0);
    }
  });
});
