import type { APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadAuthConfig } from '../../src/core/auth/index.ts';
import type { WebSocketEvent } from '../../src/core/index.ts';
import { tokenSubprotocols } from '../../src/protocol/index.ts';
import { createConnectAuthorizer } from '../../src/runtimes/aws/connect-authorizer.ts';
import { ManagementClients } from '../../src/runtimes/aws/management-clients.ts';
import type { LocalServer } from '../../src/runtimes/local/index.ts';
import { DynamoDbStore } from '../../src/stores/dynamodb/index.ts';
import { startLambdaOnEmulator, type TestTable } from '../support/lambda-on-emulator.ts';
import { localManagementClient } from '../support/management-client.ts';
import { Probe } from './support/probe.ts';
import { AUDIENCE, hsToken, ISSUER, noneToken, SECRET, tamper } from './support/tokens.ts';

const now = () => Math.floor(Date.now() / 1000);
const ENV = {
  TOPICSOCKET_JWT_SECRET: SECRET,
  TOPICSOCKET_JWT_ISSUER: ISSUER,
  TOPICSOCKET_JWT_AUDIENCE: AUDIENCE,
  TOPICSOCKET_PUBLISH_RATE: '20/20',
};

const badTokens: Array<[string, () => Promise<string>]> = [
  ['no token', async () => ''],
  ['expired', () => hsToken({ exp: now() - 60 })],
  ['not yet valid', () => hsToken({ nbf: now() + 3600 })],
  ['wrong issuer', () => hsToken({ iss: 'https://evil.example' })],
  ['wrong audience', () => hsToken({ aud: 'another-app' })],
  ['bad signature', () => hsToken({}, 'an-attackers-secret-that-is-32-bytes-long')],
  ['alg none', async () => noneToken({ publish: ['*'] })],
  ['tampered claims', async () => tamper(await hsToken({ publish: [] }), { publish: ['*'] })],
];

describe('security: Lambda handler on DynamoDB Local', () => {
  let dynamo: TestTable;
  const output: string[] = [];
  const tokens: string[] = [];
  const managementClients = new ManagementClients((endpoint) => localManagementClient(endpoint));

  beforeAll(() => {
    for (const stream of [process.stdout, process.stderr]) {
      vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
        output.push(String(chunk));
        return true;
      });
    }
  });

  afterAll(() => {
    vi.restoreAllMocks();
    managementClients.destroy();
  });

  /** A server running the Lambda handler; `clockSkewMs` moves the broker's clock (token expiry). */
  async function lambdaServer(options: { env: Record<string, string>; authorizer?: boolean }) {
    const clock: { skewMs: number; frozenAt?: number } = { skewMs: 0 };
    const connectInvocations: string[] = [];
    const authorizerContexts = new Map<string, Record<string, unknown>>();
    const auth = loadAuthConfig(options.env, 'required');
    const authorizer = options.authorizer
      ? createConnectAuthorizer(loadAuthConfig(ENV, 'required'))
      : undefined;
    const fixture = await startLambdaOnEmulator({
      table: 'security',
      managementClients,
      dependencies: { auth, now: () => clock.frozenAt ?? Date.now() + clock.skewMs },
      route: async (event, invoke) => {
        const { connectionId, routeKey } = event.requestContext;
        if (authorizer && routeKey === '$connect') {
          const request = {
            type: 'REQUEST',
            methodArn: `arn:aws:execute-api:us-east-1:123456789012:local/local/$connect`,
            headers: event.headers,
            multiValueHeaders: event.multiValueHeaders,
            queryStringParameters: event.queryStringParameters,
            requestContext: event.requestContext,
          } as unknown as APIGatewayRequestAuthorizerEvent;
          try {
            const result = await authorizer(request);
            expect(result.policyDocument.Statement).toEqual([
              { Action: 'execute-api:Invoke', Effect: 'Allow', Resource: request.methodArn },
            ]);
            authorizerContexts.set(connectionId, { ...result.context, principalId: result.principalId });
          } catch (error) {
            expect((error as Error).message).toBe('Unauthorized');
            return { statusCode: 401 };
          }
        }
        const context = authorizerContexts.get(connectionId);
        const withContext = context
          ? ({ ...event, requestContext: { ...event.requestContext, authorizer: context } } as WebSocketEvent)
          : event;
        if (routeKey === '$connect') connectInvocations.push(connectionId);
        return invoke(withContext);
      },
    });
    return {
      server: fixture.server,
      table: fixture.table,
      close: () => fixture.close(),
      clock,
      connectInvocations,
    };
  }

  const connectWith = async (server: LocalServer, claims: Record<string, unknown>): Promise<Probe> => {
    const token = await hsToken(claims);
    tokens.push(token);
    return Probe.open(server.url, tokenSubprotocols(token));
  };

  describe('the $connect handler verifies tokens', () => {
    let server: LocalServer;
    let close: () => Promise<void>;
    let clock: { skewMs: number; frozenAt?: number };
    const probes: Probe[] = [];
    const open = async (claims: Record<string, unknown>) => {
      const probe = await connectWith(server, claims);
      probes.push(probe);
      return probe;
    };

    beforeAll(async () => {
      ({ server, clock, close, table: dynamo } = await lambdaServer({ env: ENV }));
    });
    afterAll(async () => {
      await Promise.all(probes.map((probe) => probe.close()));
      await close?.();
    });

    it.each(badTokens)('refuses %s with 401 unauthorized', async (_name, token) => {
      const value = await token();
      tokens.push(value);
      const attempt = await Probe.attempt(`${server.url}/?token=${encodeURIComponent(value)}`);
      expect(attempt).toMatchObject({ open: false, status: 401 });
      expect(JSON.parse((attempt as { body: string }).body)).toMatchObject({ code: 'unauthorized' });
    });

    it('stores only the verified, trimmed claims on the connection item', async () => {
      const probe = await open({ email: 'someone@example.com', subscribe: ['a'] });
      expect(probe.ws.protocol).toBe('topicsocket.v1');
      expect(await probe.request({ type: 'ping', id: 1 })).toEqual({ type: 'pong', id: 1 });
      const store = new DynamoDbStore({ client: dynamo.client, tableName: dynamo.tableName });
      // Find this connection through a subscription it may make, then read its item.
      expect(await probe.request({ type: 'subscribe', topic: 'a', id: 2 })).toMatchObject({
        type: 'subscribed',
      });
      const subscribers: string[] = [];
      for await (const page of store.subscribers('a')) subscribers.push(...page);
      const record = await store.getConnection(subscribers[0] as string);
      expect(record?.claims).toMatchObject({ sub: 'user-1', subscribe: ['a'], iss: ISSUER });
      expect(record?.claims?.email).toBeUndefined();
    });

    it('refuses subscribe/publish outside the permissions and invalid topics; nothing is delivered', async () => {
      const reader = await open({ subscribe: ['room/*'] });
      const writer = await open({ publish: ['room/1'] });
      expect(await reader.request({ type: 'subscribe', topic: 'room/1', id: 1 })).toMatchObject({
        type: 'subscribed',
      });
      expect(await reader.request({ type: 'subscribe', topic: 'admin', id: 2 })).toMatchObject({
        code: 'forbidden',
      });
      expect(await writer.request({ type: 'publish', topic: 'room/2', data: 'leak', id: 3 })).toMatchObject({
        code: 'forbidden',
      });
      for (const topic of ['room/../admin', 'room/\u0007', `room/${'x'.repeat(10 * 1024)}`]) {
        expect(await reader.request({ type: 'subscribe', topic, id: 't' })).toMatchObject({
          code: 'invalid_topic',
        });
      }
      expect(await writer.request({ type: 'publish', topic: 'room/1', data: 'ok', id: 4 })).toMatchObject({
        type: 'published',
      });
      await reader.waitFor((frame) => frame.type === 'message');
      expect(reader.messages()).toEqual([
        expect.objectContaining({ type: 'message', topic: 'room/1', data: 'ok' }),
      ]);
    });

    it('rate limits a publish flood per connection while others are served', async () => {
      const flooder = await open({ publish: ['*'] });
      const other = await open({ publish: ['*'] });
      // The broker's clock stands still during the flood, so the bucket refills nothing: burst 20 exactly.
      clock.frozenAt = Date.now();
      try {
        const last = flooder.waitFor((frame) => frame.id === 99, 20_000);
        for (let i = 0; i < 100; i++) flooder.send({ type: 'publish', topic: 'f', data: i, id: i });
        expect(await other.request({ type: 'ping', id: 'p' })).toEqual({ type: 'pong', id: 'p' });
        await last;
      } finally {
        delete clock.frozenAt;
      }
      const limited = flooder.frames.filter((frame) => frame.code === 'rate_limited');
      expect(limited).toHaveLength(80);
      expect(flooder.frames.filter((frame) => frame.type === 'published')).toHaveLength(20);
    });

    it('closes a connection whose token expired at its next frame, telling it why', async () => {
      const probe = await open({ exp: now() + 60, subscribe: ['*'] });
      const writer = await open({ exp: now() + 3600, publish: ['*'] });
      expect(await probe.request({ type: 'subscribe', topic: 'expiring', id: 1 })).toMatchObject({
        type: 'subscribed',
      });
      clock.skewMs = 120_000;
      try {
        // Past its token's exp the subscription is no longer read: nothing is delivered, even before it closes.
        expect(
          await writer.request({ type: 'publish', topic: 'expiring', data: 'late', id: 'w' }),
        ).toMatchObject({
          type: 'published',
        });
        expect(await writer.request({ type: 'ping', id: 'sync' })).toMatchObject({ type: 'pong' });
        expect(probe.messages()).toEqual([]);
        probe.send({ type: 'subscribe', topic: 'late', id: 2 });
        expect(await probe.waitFor((frame) => frame.type === 'disconnect')).toMatchObject({
          reason: 'token_expired',
        });
        await probe.closed;
        expect(probe.frames.find((frame) => frame.id === 2)).toBeUndefined();
      } finally {
        clock.skewMs = 0;
      }
    });
  });

  describe('a REQUEST authorizer verifies tokens', () => {
    let server: LocalServer;
    let close: () => Promise<void>;
    let connectInvocations: string[];
    const probes: Probe[] = [];

    beforeAll(async () => {
      // The handler itself has no key: it trusts only the authorizer's context.
      ({ server, connectInvocations, close } = await lambdaServer({ env: {}, authorizer: true }));
    });
    afterAll(async () => {
      await Promise.all(probes.map((probe) => probe.close()));
      await close?.();
    });

    it.each(badTokens)('refuses %s before the handler runs', async (_name, token) => {
      const value = await token();
      tokens.push(value);
      const before = connectInvocations.length;
      const attempt = await Probe.attempt(server.url, value ? tokenSubprotocols(value) : undefined);
      expect(attempt).toMatchObject({ open: false, status: 401 });
      expect(connectInvocations.length).toBe(before);
    });

    it('passes the verified claims to every later route', async () => {
      const probe = await connectWith(server, { subscribe: ['inbox/*'], publish: ['inbox/me'] });
      probes.push(probe);
      expect(probe.ws.protocol).toBe('topicsocket.v1');
      expect(await probe.request({ type: 'subscribe', topic: 'inbox/me', id: 1 })).toMatchObject({
        type: 'subscribed',
      });
      expect(await probe.request({ type: 'subscribe', topic: 'outbox', id: 2 })).toMatchObject({
        code: 'forbidden',
      });
      expect(await probe.request({ type: 'publish', topic: 'inbox/me', data: 'hi', id: 3 })).toMatchObject({
        type: 'published',
      });
      await probe.waitFor((frame) => frame.type === 'message');
    });
  });

  it('never writes a token to the Lambda logs', () => {
    const text = output.join('');
    expect(text.length).toBeGreaterThan(0);
    for (const token of tokens.filter((value) => value.length > 0)) expect(text).not.toContain(token);
  });
});
