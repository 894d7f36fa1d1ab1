import { describe, expect, it } from 'vitest';
import { JwtVerifier, toAuthorizerContext } from '../../src/core/auth/index.ts';
import { Broker, type BrokerOptions, type WebSocketEvent } from '../../src/core/index.ts';
import { tokenSubprotocols } from '../../src/protocol/index.ts';
import { MemoryStore } from '../../src/stores/index.ts';
import { hsToken, SECRET } from '../security/support/tokens.ts';
import { wsEvent } from '../support/events.ts';
import { RecordingGateway } from '../support/recording-gateway.ts';

const verifier = new JwtVerifier({ secret: SECRET });

function setup(options: Partial<BrokerOptions> = {}) {
  const store = new MemoryStore();
  const gateway = new RecordingGateway();
  const broker = new Broker({ store, gateway, auth: { mode: 'required', verifier }, ...options });
  const connect = (id: string, token?: string, extra: Partial<WebSocketEvent> = {}) =>
    broker.handle(
      wsEvent('$connect', id, undefined, {
        ...(token ? { headers: { 'Sec-WebSocket-Protocol': tokenSubprotocols(token).join(', ') } } : {}),
        ...extra,
      }),
    );
  const send = async (id: string, frame: unknown, extra: Partial<WebSocketEvent> = {}) => {
    const result = await broker.handle(wsEvent('$default', id, JSON.stringify(frame), extra));
    return result.body === undefined ? undefined : JSON.parse(result.body);
  };
  return { store, gateway, broker, connect, send };
}

describe('Broker with auth required', () => {
  it('refuses $connect without a valid token and stores nothing', async () => {
    const { store, connect } = setup();
    for (const token of [undefined, 'garbage', await hsToken({ exp: Math.floor(Date.now() / 1000) - 5 })]) {
      const result = await connect('c1', token);
      expect(result.statusCode).toBe(401);
      expect(JSON.parse(result.body ?? '{}')).toMatchObject({ type: 'error', code: 'unauthorized' });
    }
    expect(await store.getConnection('c1')).toBeUndefined();
  });

  it('accepts a valid token, echoes topicsocket.v1 and stores the verified claims', async () => {
    const { store, connect } = setup();
    const token = await hsToken({ subscribe: ['chat/*'] });
    const result = await connect('c1', token);
    expect(result).toEqual({ statusCode: 200, headers: { 'Sec-WebSocket-Protocol': 'topicsocket.v1' } });
    expect((await store.getConnection('c1'))?.claims).toMatchObject({ sub: 'user-1', subscribe: ['chat/*'] });
  });

  it('refuses subscribe and publish outside the permissions and delivers nothing', async () => {
    const { gateway, connect, send } = setup();
    await connect('reader', await hsToken({ subscribe: ['chat/*', 'secret'] }));
    await connect('writer', await hsToken({ subscribe: [], publish: ['chat/lobby'] }));
    expect(await send('reader', { type: 'subscribe', topic: 'chat/lobby', id: 1 })).toMatchObject({
      type: 'subscribed',
    });
    expect(await send('reader', { type: 'subscribe', topic: 'admin', id: 2 })).toMatchObject({
      code: 'forbidden',
      id: 2,
    });
    expect(await send('writer', { type: 'subscribe', topic: 'chat/lobby', id: 3 })).toMatchObject({
      code: 'forbidden',
    });
    expect(await send('writer', { type: 'publish', topic: 'secret', data: 'x', id: 4 })).toMatchObject({
      code: 'forbidden',
      retryable: false,
    });
    expect(await send('writer', { type: 'publish', topic: 'chat/lobby', data: 'hi', id: 5 })).toMatchObject({
      type: 'published',
    });
    expect(gateway.received('reader')).toEqual([
      expect.objectContaining({ type: 'message', topic: 'chat/lobby', data: 'hi' }),
    ]);
  });

  it('applies the server default policy to tokens without permission claims', async () => {
    const { connect, send } = setup({
      auth: {
        mode: 'required',
        verifier,
        permissions: { defaultPolicy: { subscribe: ['inbox/{sub}'], publish: [] } },
      },
    });
    await connect('c', await hsToken({ sub: 'alice' }));
    expect(await send('c', { type: 'subscribe', topic: 'inbox/alice', id: 1 })).toMatchObject({
      type: 'subscribed',
    });
    expect(await send('c', { type: 'subscribe', topic: 'inbox/bob', id: 2 })).toMatchObject({
      code: 'forbidden',
    });
  });

  it('rate limits publishes per connection, leaving other connections alone', async () => {
    const { connect, send } = setup({ limits: { publishRate: { perSecond: 1, burst: 3 } } });
    await connect('flood', await hsToken({ publish: ['*'] }));
    await connect('calm', await hsToken({ publish: ['*'] }));
    const codes = [];
    for (let i = 0; i < 10; i++)
      codes.push((await send('flood', { type: 'publish', topic: 't', data: i, id: i })).type);
    expect(codes.filter((type) => type === 'published')).toHaveLength(3);
    expect(await send('flood', { type: 'publish', topic: 't', data: 0, id: 'x' })).toMatchObject({
      code: 'rate_limited',
      retryable: true,
    });
    expect(await send('calm', { type: 'publish', topic: 't', data: 0, id: 'y' })).toMatchObject({
      type: 'published',
    });
  });

  it('tells a connection whose token expired and closes it at its next frame', async () => {
    let now = Date.now();
    const { gateway, connect, send } = setup({ now: () => now });
    const exp = Math.floor(now / 1000) + 60;
    await connect('c', await hsToken({ exp, subscribe: ['*'] }));
    expect(await send('c', { type: 'ping', id: 1 })).toEqual({ type: 'pong', id: 1 });
    now = exp * 1000 + 1;
    expect(await send('c', { type: 'subscribe', topic: 't', id: 2 })).toBeUndefined();
    expect(gateway.received('c')).toEqual([
      expect.objectContaining({ type: 'disconnect', reason: 'token_expired', reconnect: true }),
    ]);
    expect(gateway.closed).toEqual(['c']);
  });

  it('with expiry timers, closes the connection the moment its token expires', async () => {
    const exp = Math.floor(Date.now() / 1000) + 60;
    const { gateway, broker, connect } = setup({
      // The broker's clock sits 30 ms before expiry, so the timer fires almost at once.
      now: () => exp * 1000 - 30,
      auth: { mode: 'required', verifier, expiryTimers: true },
    });
    const closed = new Promise<string>((resolve) => {
      gateway.close = async (id) => resolve(id);
    });
    await connect('c', await hsToken({ exp }));
    expect(await closed).toBe('c');
    expect(gateway.received('c')).toEqual([expect.objectContaining({ reason: 'token_expired' })]);
    broker.dispose();
  });

  it('takes claims from a Lambda authorizer without reading the store on later routes', async () => {
    const { store, connect, send } = setup({ auth: { mode: 'required' } });
    const exp = Math.floor(Date.now() / 1000) + 60;
    const authorizer = toAuthorizerContext({ sub: 'u', exp, subscribe: ['a'] }, exp);
    const withAuthorizer = (event: WebSocketEvent) => ({
      requestContext: { ...event.requestContext, authorizer } as WebSocketEvent['requestContext'],
    });
    expect((await connect('c', undefined, withAuthorizer(wsEvent('$connect', 'c')))).statusCode).toBe(200);
    let reads = 0;
    const getConnection = store.getConnection.bind(store);
    store.getConnection = (id) => {
      reads++;
      return getConnection(id);
    };
    expect(
      await send('c', { type: 'subscribe', topic: 'a', id: 1 }, withAuthorizer(wsEvent('$default', 'c'))),
    ).toMatchObject({
      type: 'subscribed',
    });
    expect(
      await send('c', { type: 'subscribe', topic: 'b', id: 2 }, withAuthorizer(wsEvent('$default', 'c'))),
    ).toMatchObject({
      code: 'forbidden',
    });
    expect(reads).toBe(0);
    // Without the authorizer context and without a verifier, $connect is refused.
    expect((await connect('d')).statusCode).toBe(401);
  });

  it('stays open without auth options (existing behaviour)', async () => {
    const { connect, send } = setup({ auth: undefined });
    expect((await connect('c')).statusCode).toBe(200);
    expect(await send('c', { type: 'subscribe', topic: 'anything', id: 1 })).toMatchObject({
      type: 'subscribed',
    });
  });
});
