/**
 * Server hooks through the broker on the memory store, with the shared test module (fixtures/test-hooks.ts)
 * loaded by the same loader `topicsocket dev` uses: every hook's accept, transform, refuse, throw, time out
 * and wrong-shape path; a refused publish never reaches history and a transformed one is what a replay
 * returns; POST /publish goes through onPublish with a backend caller; a failing hook never affects
 * another client.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadUserModule } from '../../src/cli/user-module.ts';
import { type Hooks, hooksFromModule } from '../../src/core/hooks/index.ts';
import { Broker, type LogFields, type Logger } from '../../src/core/index.ts';
import { PublishApi } from '../../src/core/publish-api/index.ts';
import { MemoryStore } from '../../src/stores/index.ts';
import { wsEvent } from '../support/events.ts';
import { RecordingGateway } from '../support/recording-gateway.ts';

const HOOKS_FILE = join(fileURLToPath(new URL('.', import.meta.url)), 'fixtures', 'test-hooks.ts');

class CapturingLogger implements Logger {
  readonly lines: Array<{ level: string; message: string; fields: LogFields }> = [];
  debug(message: string, fields: LogFields = {}) {
    this.lines.push({ level: 'debug', message, fields });
  }
  info(message: string, fields: LogFields = {}) {
    this.lines.push({ level: 'info', message, fields });
  }
  warn(message: string, fields: LogFields = {}) {
    this.lines.push({ level: 'warn', message, fields });
  }
  error(message: string, fields: LogFields = {}) {
    this.lines.push({ level: 'error', message, fields });
  }
}

let hooks: Hooks;
beforeAll(async () => {
  hooks = hooksFromModule((await loadUserModule(HOOKS_FILE)).exports, HOOKS_FILE);
});

describe('hooks on the broker (memory store)', () => {
  let store: MemoryStore;
  let gateway: RecordingGateway;
  let logger: CapturingLogger;
  let broker: Broker;

  const connect = (id: string, query: Record<string, string> = {}) =>
    broker.handle(wsEvent('$connect', id, undefined, { queryStringParameters: query }));
  const send = async (id: string, frame: unknown) => {
    const result = await broker.handle(wsEvent('$default', id, JSON.stringify(frame)));
    return result.body === undefined ? undefined : JSON.parse(result.body);
  };
  const replay = async (id: string, topic: string) =>
    (await send(id, { type: 'history', topic, id: 'h' })) as { messages: Array<{ data: unknown }> };

  beforeEach(async () => {
    store = new MemoryStore();
    gateway = new RecordingGateway();
    logger = new CapturingLogger();
    broker = new Broker({ store, gateway, logger, hooks, hookTimeoutMs: 100 });
    expect((await connect('ada', { name: 'Ada' })).statusCode).toBe(200);
    expect((await connect('bob', { name: 'Bob' })).statusCode).toBe(200);
  });

  describe('onConnect', () => {
    it('accepts and stores the user with the connection, given to later hooks as ctx.user', async () => {
      expect((await store.getConnection('ada'))?.user).toEqual({ name: 'Ada', sub: null });
      expect(await send('ada', { type: 'rpc', method: 'whoami', id: 1 })).toEqual({
        type: 'result',
        id: 1,
        result: { user: { name: 'Ada', sub: null }, connectionId: 'ada' },
      });
    });

    it.each([
      ['refuse', 403, 'forbidden', 'no entry today'],
      ['refuse-returned', 401, 'unauthorized', 'who are you?'],
      ['throw', 500, 'internal_error', 'internal error'],
      ['slow', 503, 'hook_timeout', "the server's onConnect hook did not answer in time"],
      ['shape', 500, 'internal_error', "the server's onConnect hook answered wrongly"],
    ])('%s: refuses the upgrade with %i %s and stores nothing', async (mode, status, code, message) => {
      const result = await connect('eve', { mode });
      expect(result.statusCode).toBe(status);
      expect(JSON.parse(result.body as string)).toMatchObject({ type: 'error', code, message });
      expect(await store.getConnection('eve')).toBeUndefined();
    });

    it('logs a thrown hook with its stack, names the hook of a wrong shape, and sends no stack to the client', async () => {
      const thrown = await connect('eve', { mode: 'throw' });
      expect(thrown.body).not.toMatch(/exploded|at /);
      const threw = logger.lines.find((line) => line.message === 'hook threw');
      expect(threw?.fields).toMatchObject({ hook: 'onConnect' });
      expect(String(threw?.fields.error)).toMatch(/onConnect exploded[\s\S]*test-hooks\.ts:\d+/);
      await connect('eve', { mode: 'shape' });
      const shape = logger.lines.find((line) => line.message === 'hook returned the wrong shape');
      expect(shape?.fields).toMatchObject({
        hook: 'onConnect',
        problem: expect.stringMatching(/returned 42/),
      });
    });
  });

  describe('onSubscribe', () => {
    it('accepts: the subscription is stored and receives', async () => {
      expect(await send('bob', { type: 'subscribe', topic: 'news', id: 1 })).toMatchObject({
        type: 'subscribed',
      });
      expect(await store.topicsOf('bob')).toEqual(['news']);
    });

    it.each([
      ['sub-refuse/x', 'forbidden', 'Bob may not read sub-refuse/x'],
      ['sub-throw/x', 'internal_error', 'internal error'],
      ['sub-slow/x', 'hook_timeout', "the server's onSubscribe hook did not answer in time"],
      ['sub-shape/x', 'internal_error', "the server's onSubscribe hook answered wrongly"],
    ])('%s: answers %s and stores nothing', async (topic, code, message) => {
      expect(await send('bob', { type: 'subscribe', topic, id: 2 })).toEqual({
        type: 'error',
        code,
        message,
        retryable: code !== 'forbidden',
        id: 2,
      });
      expect(await store.topicsOf('bob')).toEqual([]);
    });
  });

  describe('onPublish', () => {
    beforeEach(async () => {
      for (const topic of ['plain', 'stamp/room', 'refuse/room', 'throw/room', 'slow/room', 'shape/room']) {
        await send('bob', { type: 'subscribe', topic });
      }
    });

    it('accepts as is', async () => {
      expect(await send('ada', { type: 'publish', topic: 'plain', data: 'hi', id: 1 })).toMatchObject({
        type: 'published',
        offset: 1,
      });
      expect(gateway.received('bob')).toMatchObject([{ topic: 'plain', data: 'hi' }]);
    });

    it('transforms: subscribers and history get the replacement', async () => {
      await send('ada', { type: 'publish', topic: 'stamp/room', data: 'hi', id: 1 });
      const stamped = { text: 'hi', from: 'Ada', via: 'connection' };
      expect(gateway.received('bob')).toMatchObject([{ topic: 'stamp/room', data: stamped }]);
      expect((await replay('bob', 'stamp/room')).messages.map((m) => m.data)).toEqual([stamped]);
    });

    it.each([
      ['refuse/room', 'bad_request', 'that message is not welcome'],
      ['throw/room', 'internal_error', 'internal error'],
      ['slow/room', 'hook_timeout', "the server's onPublish hook did not answer in time"],
      ['shape/room', 'internal_error', "the server's onPublish hook answered wrongly"],
    ])('%s: answers %s; nobody receives it and history holds nothing', async (topic, code, message) => {
      expect(await send('ada', { type: 'publish', topic, data: 'hi', id: 3 })).toMatchObject({
        type: 'error',
        code,
        message,
        id: 3,
      });
      expect(await store.topicsOf('bob')).toContain(topic); // subscribed: it would have received it
      expect(gateway.received('bob')).toEqual([]);
      expect(await replay('bob', topic)).toMatchObject({ offset: 0, messages: [] });
    });

    it('runs for POST /publish with a backend caller; a refusal publishes nothing of the batch', async () => {
      const api = new PublishApi({
        auth: { apiKeys: ['a-secret-of-some-length'] },
        publish: (topic, data, options) => broker.publish(topic, data, options),
        check: (topic, data) => broker.assertPublishable(topic, data),
        beforePublish: (principal, topic, data) => broker.backendPublishHook(principal, topic, data),
      });
      const post = (body: unknown) =>
        api.handle({
          method: 'POST',
          headers: { 'x-api-key': 'a-secret-of-some-length' },
          body: JSON.stringify(body),
        });
      const ok = await post({ topic: 'stamp/room', data: 'from the backend' });
      expect(ok.statusCode).toBe(200);
      expect(gateway.received('bob')).toMatchObject([
        { data: { text: 'from the backend', from: 'backend', via: 'backend' } },
      ]);
      const refused = await post({
        messages: [
          { topic: 'plain', data: 1 },
          { topic: 'refuse/room', data: 2 },
        ],
      });
      expect(refused.statusCode).toBe(400);
      expect(JSON.parse(refused.body)).toMatchObject({
        code: 'bad_request',
        message: 'messages[1]: that message is not welcome; nothing was published',
      });
      expect(gateway.received('bob')).toHaveLength(1);
      expect(await replay('bob', 'plain')).toMatchObject({ messages: [] });
    });
  });

  describe('rpc', () => {
    it.each([
      ['echo', { x: [1, 'two'] }, { type: 'result', id: 5, result: { x: [1, 'two'] } }],
      ['add', { a: 2, b: 3 }, { type: 'result', id: 5, result: 5 }],
      ['add', { a: 'x' }, { type: 'error', code: 'bad_request', message: 'a and b must be numbers', id: 5 }],
      ['missing', undefined, { type: 'error', code: 'not_found', message: 'nothing here', id: 5 }],
      ['explode', undefined, { type: 'error', code: 'internal_error', message: 'internal error', id: 5 }],
      ['slow', undefined, { type: 'error', code: 'hook_timeout', id: 5 }],
      [
        'shape',
        undefined,
        {
          type: 'error',
          code: 'internal_error',
          message: "the server's rpc.shape hook answered wrongly",
          id: 5,
        },
      ],
      ['nope', undefined, { type: 'error', code: 'unknown_method', message: 'no method "nope"', id: 5 }],
      ['toString', undefined, { type: 'error', code: 'unknown_method', id: 5 }],
    ])('%s(%j) answers the caller alone', async (method, params, answer) => {
      expect(
        await send('ada', { type: 'rpc', method, id: 5, ...(params === undefined ? {} : { params }) }),
      ).toMatchObject(answer);
      expect(gateway.received('bob')).toEqual([]);
    });

    it('ctx.send reaches the caller alone, ctx.publish goes through fan-out and history, ctx.close ends the caller', async () => {
      await send('bob', { type: 'subscribe', topic: 'announcements' });
      expect(await send('ada', { type: 'rpc', method: 'send', params: 'psst', id: 1 })).toMatchObject({
        result: 'sent',
      });
      expect(gateway.received('ada')).toEqual([{ type: 'direct', data: { direct: 'psst' } }]);
      expect(await send('ada', { type: 'rpc', method: 'announce', params: { v: 1 }, id: 2 })).toMatchObject({
        result: { offset: 1 },
      });
      expect(gateway.received('bob')).toMatchObject([{ topic: 'announcements', data: { v: 1 }, offset: 1 }]);
      expect(await send('ada', { type: 'rpc', method: 'kick', id: 3 })).toMatchObject({ result: 'closing' });
      expect(gateway.received('ada').at(-1)).toEqual({
        type: 'disconnect',
        reason: 'policy',
        message: 'kicked by rpc',
        reconnect: false,
      });
      expect(gateway.closed).toEqual(['ada']);
    });

    it('without hooks, every method is unknown', async () => {
      const bare = new Broker({ store, gateway });
      const result = await bare.handle(
        wsEvent('$default', 'ada', JSON.stringify({ type: 'rpc', method: 'whoami', id: 1 })),
      );
      expect(JSON.parse(result.body as string)).toMatchObject({ code: 'unknown_method' });
    });
  });

  it('onDisconnect runs after the records are gone, with the user, and may publish', async () => {
    await send('bob', { type: 'subscribe', topic: 'presence/left' });
    await broker.handle(wsEvent('$disconnect', 'ada'));
    expect(await store.getConnection('ada')).toBeUndefined();
    expect(gateway.received('bob')).toMatchObject([{ topic: 'presence/left', data: { name: 'Ada' } }]);
  });

  it('a hook that fails never affects another client', async () => {
    await send('bob', { type: 'subscribe', topic: 'plain' });
    const failures = ['throw/room', 'slow/room', 'shape/room'].map((topic) =>
      send('ada', { type: 'publish', topic, data: 1, id: topic }),
    );
    expect(await send('bob', { type: 'publish', topic: 'plain', data: 'fine', id: 9 })).toMatchObject({
      type: 'published',
    });
    expect((await Promise.all(failures)).map((answer) => answer.type)).toEqual(['error', 'error', 'error']);
    expect(gateway.received('bob')).toMatchObject([{ topic: 'plain', data: 'fine' }]);
  });

  it('a reloaded module (a new current in the source) takes effect for the next request', async () => {
    const source: { current: Hooks | undefined } = { current: hooks };
    const reloading = new Broker({ store, gateway, hooks: source });
    const call = async () =>
      JSON.parse(
        (
          await reloading.handle(
            wsEvent('$default', 'ada', JSON.stringify({ type: 'rpc', method: 'echo', params: 1, id: 1 })),
          )
        ).body as string,
      );
    expect(await call()).toMatchObject({ result: 1 });
    source.current = { rpc: { echo: () => 'reloaded' } };
    expect(await call()).toMatchObject({ result: 'reloaded' });
  });
});
