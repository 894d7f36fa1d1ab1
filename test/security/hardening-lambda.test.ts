/**
 * Issue 17 (runtime findings) against the real Lambda handlers on DynamoDB Local, behind the emulator: token
 * expiry found by the fan-out (a subscriber that only pings), per-caller idempotency, huge integer claims at
 * `$connect`, the `POST /publish` function's whole-batch checks and key scoping, long keys, the read cost of
 * one `history` request, and no permanent items from reads of never-used topics.
 */
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAuthConfig } from '../../src/core/auth/index.ts';
import { tokenSubprotocols } from '../../src/protocol/index.ts';
import type { AwsRuntimeConfig } from '../../src/runtimes/aws/config.ts';
import { ManagementClients } from '../../src/runtimes/aws/management-clients.ts';
import { createPublishHandler } from '../../src/runtimes/aws/publish-handler.ts';
import type { LocalServer } from '../../src/runtimes/local/index.ts';
import { publishEvent } from '../support/events.ts';
import {
  type LambdaOnEmulator,
  startLambdaOnEmulator,
  type TestTable,
} from '../support/lambda-on-emulator.ts';
import { localManagementClient } from '../support/management-client.ts';
import { interceptCommand } from '../support/sdk-faults.ts';
import { Probe } from './support/probe.ts';
import { AUDIENCE, hsToken, ISSUER, SECRET } from './support/tokens.ts';

const API_KEY = 'hardening-lambda-api-key-1';
const ENV = {
  TOPICSOCKET_JWT_SECRET: SECRET,
  TOPICSOCKET_JWT_ISSUER: ISSUER,
  TOPICSOCKET_JWT_AUDIENCE: AUDIENCE,
  TOPICSOCKET_API_KEYS: API_KEY,
};
const nowSeconds = () => Math.floor(Date.now() / 1000);

describe('hardening: Lambda handlers on DynamoDB Local', () => {
  let fixture: LambdaOnEmulator;
  let dynamo: TestTable;
  let server: LocalServer;
  let config: AwsRuntimeConfig;
  let publishLambda: ReturnType<typeof createPublishHandler>;
  const clock = { skewMs: 0 };
  const probes: Probe[] = [];
  const managementClients = new ManagementClients((endpoint) => localManagementClient(endpoint));
  let readCapacity = 0;

  beforeAll(async () => {
    fixture = await startLambdaOnEmulator({
      table: 'hardening',
      quiet: true,
      managementClients,
      dependencies: { auth: loadAuthConfig(ENV, 'required'), now: () => Date.now() + clock.skewMs },
    });
    ({ server, table: dynamo, config } = fixture);
    for (const command of ['QueryCommand', 'GetItemCommand']) {
      interceptCommand(dynamo.client, command, async (input, send) => {
        const output = await send({ ...input, ReturnConsumedCapacity: 'TOTAL' });
        readCapacity +=
          (output.ConsumedCapacity as { CapacityUnits?: number } | undefined)?.CapacityUnits ?? 0;
        return output;
      });
    }
    publishLambda = createPublishHandler(config, loadAuthConfig(ENV, 'required'), 'keys', {
      dynamoDb: dynamo.client,
      managementClients,
    });
  });

  afterAll(async () => {
    await Promise.all(probes.map((probe) => probe.close()));
    await fixture?.close();
    managementClients.destroy();
  });

  async function connect(claims: Record<string, unknown>): Promise<Probe> {
    const probe = await Probe.open(server.url, tokenSubprotocols(await hsToken(claims)));
    probes.push(probe);
    return probe;
  }

  async function publishHttp(body: unknown, headers: Record<string, string> = { 'x-api-key': API_KEY }) {
    const result = (await publishLambda(publishEvent(body, headers))) as APIGatewayProxyStructuredResultV2;
    return { status: result.statusCode, body: JSON.parse(String(result.body)) as Record<string, unknown> };
  }

  it('ends a subscriber whose token expired at the next fan-out, though it only pinged (MOCK route)', async () => {
    const subscriber = await connect({ exp: nowSeconds() + 60, subscribe: ['feed'] });
    await subscriber.request({ type: 'subscribe', topic: 'feed', id: 1 });
    const publisher = await connect({ exp: nowSeconds() + 3600, publish: ['feed'] });
    clock.skewMs = 120_000;
    try {
      expect(await subscriber.request({ type: 'ping', id: 2 })).toEqual({ type: 'pong', id: 2 });
      expect(await publisher.request({ type: 'publish', topic: 'feed', data: 'late', id: 3 })).toMatchObject({
        type: 'published',
      });
      expect(await subscriber.waitFor((frame) => frame.type === 'disconnect')).toMatchObject({
        reason: 'token_expired',
      });
      await subscriber.closed;
    } finally {
      clock.skewMs = 0;
    }
    expect(subscriber.messages()).toEqual([]);
  });

  it('scopes WebSocket idempotency keys to the caller on DynamoDB', async () => {
    const alice = await connect({ sub: 'alice', publish: ['room'] });
    const bob = await connect({ sub: 'bob', publish: ['room'] });
    const a = await alice.request({ type: 'publish', topic: 'room', data: 'A', idempotencyKey: 'k', id: 1 });
    const b = await bob.request({ type: 'publish', topic: 'room', data: 'B', idempotencyKey: 'k', id: 2 });
    expect(a).toMatchObject({ type: 'published', offset: 1 });
    expect(b).toMatchObject({ type: 'published', offset: 2 });
    expect(b.duplicate).toBeUndefined();
  });

  it('accepts a valid token whose exp is an integer above 2^53 at $connect (no 500)', async () => {
    const attempt = await Probe.attempt(server.url, tokenSubprotocols(await hsToken({ exp: 1e16 })));
    expect(attempt.open).toBe(true);
    if (attempt.open) probes.push(attempt.client);
  });

  it('refuses a whole batch in the publish function when one message is too large: nothing published', async () => {
    const answer = await publishHttp({
      messages: [
        { topic: 'batch', data: 'first' },
        { topic: 'batch', data: 'x'.repeat(130 * 1024) },
      ],
    });
    expect(answer.status).toBe(413);
    const reader = await connect({ subscribe: ['batch'] });
    expect(await reader.request({ type: 'history', topic: 'batch', id: 1 })).toMatchObject({ messages: [] });
  });

  it('scopes the publish function idempotency keys per topic, and takes long subs and keys', async () => {
    const one = await publishHttp({ topic: 'k-one', data: 1, idempotencyKey: 'same' });
    const two = await publishHttp({ topic: 'k-two', data: 2, idempotencyKey: 'same' });
    expect(one.body).toMatchObject({ topic: 'k-one', offset: 1 });
    expect(two.body).toMatchObject({ topic: 'k-two', offset: 1 });
    expect(two.body.duplicate).toBeUndefined();
    // A 2,000-character `sub` and a 256-character key: far past the 1,024-byte sort key if not hashed.
    const token = await hsToken({ sub: 's'.repeat(2_000), publish: ['*'] });
    const long = await publishHttp(
      { topic: 'k-long', data: 3, idempotencyKey: 'k'.repeat(256) },
      { authorization: `Bearer ${token}` },
    );
    expect(long.status).toBe(200);
    expect(long.body).toMatchObject({ offset: 1 });
  });

  it('reads about one answer of history per request, not a page of large messages (RCU)', async () => {
    for (let n = 0; n < 40; n++) {
      const answer = await publishHttp({ topic: 'heavy', data: { n, pad: 'h'.repeat(100_000) } });
      expect(answer.status).toBe(200);
    }
    const reader = await connect({ subscribe: ['heavy'] });
    readCapacity = 0;
    const answer = await reader.request({ type: 'history', topic: 'heavy', id: 'rcu' });
    const messages = answer.messages as Array<{ offset: number }>;
    expect(messages.map((message) => message.offset)).toEqual([40]);
    // One meta GetItem, then a Query page of one 100 KB message, then one more: about 50 RCU, where the
    // page of 40 the old code read cost about 1,000.
    expect(readCapacity).toBeLessThan(80);
    process.env.TOPICSOCKET_PRINT_RCU && console.info(`history request: ${readCapacity} RCU`);
  });

  it('leaves no permanent item behind for reads and subscribes of never-used topics', async () => {
    const reader = await connect({ subscribe: ['*'] });
    for (let n = 0; n < 301; n++) {
      await reader.request({ type: 'history', topic: `never-${n}`, id: `h${n}` });
    }
    for (let n = 0; n < 20; n++) {
      await reader.request({ type: 'subscribe', topic: `quiet-${n}`, id: `s${n}` });
      await reader.request({ type: 'unsubscribe', topic: `quiet-${n}`, id: `u${n}` });
    }
    const items: Array<Record<string, { S?: string; N?: string }>> = [];
    let startKey: Record<string, never> | undefined;
    do {
      const out = await dynamo.client.send(
        new ScanCommand({
          TableName: dynamo.tableName,
          FilterExpression: 'begins_with(pk, :never) OR begins_with(pk, :quiet)',
          ExpressionAttributeValues: { ':never': { S: 'H#never-' }, ':quiet': { S: 'H#quiet-' } },
          ExclusiveStartKey: startKey,
        }),
      );
      items.push(...((out.Items ?? []) as typeof items));
      startKey = out.LastEvaluatedKey as typeof startKey;
    } while (startKey);
    expect(items.filter((item) => String(item.pk?.S).startsWith('H#never-'))).toEqual([]);
    expect(items).toHaveLength(20);
    for (const item of items) expect(item.ttl?.N).toBeDefined();
  });
});
