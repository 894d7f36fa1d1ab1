/**
 * Server hooks in the real Lambda handlers on DynamoDB Local, with the shared test module bundled exactly
 * as the deploy tools bundle it (deploy/model: BundlingModel's esbuild options plus the hooks alias that
 * TOPICSOCKET_HOOKS gives at synth/package time), the WebSocket bundle behind the API Gateway emulator with
 * real WebSocket clients (the SDK on `ws`) and the publish bundle given HTTP API events: each hook's paths,
 * the user stored on the DynamoDB connection item, refused publishes absent from history and transformed
 * ones what history returns.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildLambdaBundle } from '../../bench/lambda-bundle.ts';
import { FunctionModel, hooksModel, PublishFunctionModel } from '../../deploy/model/index.ts';
import type { Message } from '../../src/client/index.ts';
import type { WebSocketEvent, WebSocketResult } from '../../src/core/index.ts';
import { type LocalServer, startLocalServer } from '../../src/runtimes/local/index.ts';
import { DynamoDbStore } from '../../src/stores/dynamodb/dynamodb-store.ts';
import { LambdaEnvironment } from '../../src/stores/dynamodb/table-design.ts';
import { Clients } from '../client/support/clients.ts';
import { nextEvent } from '../client/support/events.ts';
import { freshTable } from '../support/dynamodb-test-table.ts';
import { lambdaContext } from '../support/lambda-context.ts';

const HOOKS_FILE = join(fileURLToPath(new URL('.', import.meta.url)), 'fixtures', 'test-hooks.ts');
const API_KEY = 'a-publish-key-of-some-length';

type Handler<E, R> = (event: E, context?: unknown) => Promise<R>;

describe('hooks in the Lambda bundles (emulator + DynamoDB Local)', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'hooks-lambda-'));
  const savedEnv = { ...process.env };
  const clients = new Clients();
  let server: LocalServer;
  let dynamo: { client: DynamoDBClient; tableName: string; endpoint: string };
  let websocket: Handler<WebSocketEvent, WebSocketResult>;
  let publish: Handler<unknown, { statusCode: number; body: string }>;
  const bundles = {
    websocket: join(outdir, 'websocket', 'index.js'),
    publish: join(outdir, 'publish', 'index.js'),
  };

  beforeAll(async () => {
    const { alias } = hooksModel(HOOKS_FILE);
    await Promise.all([
      buildLambdaBundle(FunctionModel.entry, bundles.websocket, undefined, alias),
      buildLambdaBundle(PublishFunctionModel.entry, bundles.publish, undefined, alias),
    ]);
    dynamo = await freshTable('hooks-lambda');
    server = await startLocalServer({
      port: 0,
      handler: (event) => websocket(event, lambdaContext(event)),
    });
    Object.assign(process.env, {
      [LambdaEnvironment.tableName]: dynamo.tableName,
      [LambdaEnvironment.dynamodbEndpoint]: dynamo.endpoint,
      [LambdaEnvironment.managementEndpoint]: server.managementEndpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      POWERTOOLS_LOG_LEVEL: 'CRITICAL',
      TOPICSOCKET_AUTH: 'open',
      TOPICSOCKET_API_KEYS: API_KEY,
      TOPICSOCKET_PUBLISH_AUTH: 'keys',
      TOPICSOCKET_HOOK_TIMEOUT_MS: '300',
    });
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    // As Lambda loads them: CommonJS, configuration read at load (cold start).
    const require = createRequire(import.meta.url);
    websocket = require(bundles.websocket).handler;
    publish = require(bundles.publish).handler;
  }, 120_000);

  afterAll(async () => {
    await clients.closeAll();
    await server?.close();
    vi.restoreAllMocks();
    process.env = savedEnv;
    dynamo?.client.destroy();
    rmSync(outdir, { recursive: true, force: true });
  });

  it('the bundles carry the hooks module', () => {
    expect(readFileSync(bundles.websocket, 'utf8')).toContain('onPublish exploded');
    expect(readFileSync(bundles.publish, 'utf8')).toContain('onPublish exploded');
  });

  it('onConnect: the user is stored on the DynamoDB connection item; refusals are 403/401/500/503', async () => {
    const ada = await clients.connected({ url: `${server.url}?name=Ada` });
    const { connectionId } = (await ada.rpc('whoami')) as { connectionId: string };
    const store = new DynamoDbStore({ client: dynamo.client, tableName: dynamo.tableName });
    expect((await store.getConnection(connectionId))?.user).toEqual({ name: 'Ada', sub: null });
    for (const [mode, status, code] of [
      ['refuse', 403, 'forbidden'],
      ['refuse-returned', 401, 'unauthorized'],
      ['throw', 500, 'internal_error'],
      ['slow', 503, 'hook_timeout'],
      ['shape', 500, 'internal_error'],
    ] as const) {
      const client = clients.create({ url: `${server.url}?mode=${mode}` });
      const failed = await nextEvent(client, 'state', (change) => change.error !== undefined).catch(
        (error: Error) => ({ error: { mode, timeout: error.message } }),
      );
      expect(failed.error, mode).toMatchObject({ code, status });
      await client.close();
    }
  });

  it('onSubscribe and onPublish over WebSocket: every path, and history holds only what was published', async () => {
    const ada = await clients.connected({ url: `${server.url}?name=Ada` });
    const bob = await clients.connected({ url: `${server.url}?name=Bob` });
    for (const [topic, code] of [
      ['sub-refuse/a', 'forbidden'],
      ['sub-throw/a', 'internal_error'],
      ['sub-slow/a', 'hook_timeout'],
      ['sub-shape/a', 'internal_error'],
    ] as const) {
      await expect(bob.subscribe(topic, () => {}).ready).rejects.toMatchObject({ code });
    }
    let stamped: (message: Message) => void = () => {};
    const arrived = new Promise<Message>((resolve) => (stamped = resolve));
    const seen: string[] = [];
    const listener = (message: Message) => {
      seen.push(message.topic);
      if (message.topic === 'stamp/l') stamped(message);
    };
    for (const topic of ['stamp/l', 'refuse/l', 'throw/l', 'slow/l', 'shape/l']) {
      await bob.subscribe(topic, listener).ready;
    }
    for (const [topic, code] of [
      ['refuse/l', 'bad_request'],
      ['throw/l', 'internal_error'],
      ['slow/l', 'hook_timeout'],
      ['shape/l', 'internal_error'],
    ] as const) {
      await expect(ada.publish(topic, 'x')).rejects.toMatchObject({ code });
    }
    expect((await ada.publish('stamp/l', 'hi')).offset).toBe(1);
    expect((await arrived).data).toEqual({ text: 'hi', from: 'Ada', via: 'connection' });
    expect(seen).toEqual(['stamp/l']);
    const store = new DynamoDbStore({ client: dynamo.client, tableName: dynamo.tableName });
    const retention = { maxMessages: 1000, maxAgeSeconds: 300 };
    const history = store.history as NonNullable<typeof store.history>;
    expect((await history.read('stamp/l', 0, { retention, limit: 10 })).messages.map((m) => m.data)).toEqual([
      { text: 'hi', from: 'Ada', via: 'connection' },
    ]);
    for (const topic of ['refuse/l', 'throw/l', 'slow/l', 'shape/l']) {
      expect((await history.read(topic, 0, { retention, limit: 10 })).messages).toEqual([]);
    }
  });

  it('rpc, ctx.send and ctx.close on the Lambda', async () => {
    const ada = await clients.connected({ url: `${server.url}?name=Ada`, reconnect: { maxAttempts: 0 } });
    expect(await ada.rpc('add', { a: 40, b: 2 })).toBe(42);
    for (const [method, code] of [
      ['nope', 'unknown_method'],
      ['missing', 'not_found'],
      ['explode', 'internal_error'],
      ['slow', 'hook_timeout'],
      ['shape', 'internal_error'],
    ] as const) {
      await expect(ada.rpc(method)).rejects.toMatchObject({ code });
    }
    const direct = nextEvent(ada, 'direct');
    expect(await ada.rpc('send', 1)).toBe('sent');
    expect(await direct).toEqual({ direct: 1 });
    const closed = nextEvent(ada, 'state', (change) => change.state === 'closed');
    await ada.rpc('kick').catch(() => undefined); // the answer may lose the race with the close
    expect(await closed).toMatchObject({ reason: 'policy' });
  });

  it('the publish Lambda runs onPublish with a backend caller', async () => {
    const bob = await clients.connected({ url: `${server.url}?name=Bob` });
    let got: (message: Message) => void = () => {};
    const arrived = new Promise<Message>((resolve) => (got = resolve));
    await bob.subscribe('stamp/http', (message) => got(message)).ready;
    const post = (topic: string) =>
      publish({
        version: '2.0',
        routeKey: 'POST /publish',
        rawPath: '/publish',
        rawQueryString: '',
        headers: { 'content-type': 'application/json', 'x-api-key': API_KEY },
        body: JSON.stringify({ topic, data: 'via http' }),
        isBase64Encoded: false,
        requestContext: { http: { method: 'POST', path: '/publish', sourceIp: '127.0.0.1' }, requestId: 'r' },
      });
    expect((await post('refuse/http')).statusCode).toBe(400);
    expect((await post('stamp/http')).statusCode).toBe(200);
    expect((await arrived).data).toEqual({ text: 'via http', from: 'backend', via: 'backend' });
  });

  it('without TOPICSOCKET_HOOKS the bundle has no hook code', async () => {
    const plain = join(outdir, 'plain', 'index.js');
    await buildLambdaBundle(FunctionModel.entry, plain, undefined, hooksModel(undefined).alias);
    const code = readFileSync(plain, 'utf8');
    expect(code).not.toContain('onPublish exploded');
    expect(code).toContain('noHooks');
  }, 60_000);
});
