import { beforeAll, describe, expect, it } from 'vitest';
import type { LocalServer } from '../../../src/runtimes/local/index.ts';
import { localServerForFile } from '../../support/local-server.ts';

describe('local runtime end to end', () => {
  const local = localServerForFile();
  let server: LocalServer;
  const open = () => local.open();

  beforeAll(() => {
    server = local.server;
  });

  it('serves on an ephemeral port and reports its endpoints', () => {
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`ws://127.0.0.1:${server.port}`);
    expect(server.managementEndpoint).toBe(`http://127.0.0.1:${server.port}`);
    expect(server.broker).toBeDefined();
  });

  it('delivers a publish to every subscriber and acks frames that carry an id', async () => {
    const [alice, bob, carol] = [await open(), await open(), await open()];
    expect(await alice.request({ type: 'subscribe', topic: 'room/1', id: 1 })).toEqual({
      type: 'subscribed',
      topic: 'room/1',
      id: 1,
      epoch: expect.any(String),
      offset: 0,
    });
    expect(await bob.request({ type: 'subscribe', topic: 'room/1', id: 'b' })).toEqual({
      type: 'subscribed',
      topic: 'room/1',
      id: 'b',
      epoch: expect.any(String),
      offset: 0,
    });
    expect(await carol.request({ type: 'publish', topic: 'room/1', data: { n: 1 }, id: 7 })).toEqual({
      type: 'published',
      topic: 'room/1',
      id: 7,
      offset: 1,
      epoch: expect.any(String),
    });
    const expected = {
      type: 'message',
      topic: 'room/1',
      data: { n: 1 },
      offset: 1,
      epoch: expect.any(String),
    };
    expect(await alice.next()).toEqual(expected);
    expect(await bob.next()).toEqual(expected);
    expect(carol.pending).toBe(0);
    expect(server.connections()).toBeGreaterThanOrEqual(3);
  });

  it('accepts the seed article frames unchanged', async () => {
    const ws1 = await open();
    const ws2 = await open();
    // The article sends neither frame with an id, so neither is acknowledged.
    ws2.send({ type: 'subscribe', topic: 'general' });
    ws2.send({ type: 'ping', id: 'sync' });
    expect(await ws2.next()).toEqual({ type: 'pong', id: 'sync' });
    ws1.send({ type: 'message', message: 'count is 0', topic: 'general' });
    expect(await ws2.next()).toEqual({
      type: 'message',
      topic: 'general',
      data: 'count is 0',
      offset: 1,
      epoch: expect.any(String),
    });
  });

  it('answers bad frames with error frames and keeps the connection usable', async () => {
    const client = await open();
    expect(await client.request('not json')).toMatchObject({
      type: 'error',
      code: 'bad_json',
      retryable: false,
    });
    expect(await client.request({ type: 'subscribe', topic: 'has space', id: 3 })).toMatchObject({
      type: 'error',
      code: 'invalid_topic',
      id: 3,
    });
    expect(await client.request({ type: 'nope', id: 4 })).toMatchObject({
      type: 'error',
      code: 'unknown_type',
      id: 4,
    });
    expect(await client.request({ type: 'subscribe', topic: 'ok', id: 5 })).toEqual({
      type: 'subscribed',
      topic: 'ok',
      id: 5,
      epoch: expect.any(String),
      offset: 0,
    });
  });

  it('hands messages of one connection to the handler one at a time, in order', async () => {
    const client = await open();
    for (let i = 0; i < 50; i++) client.send({ type: 'subscribe', topic: `t${i}`, id: i });
    for (let i = 0; i < 50; i++) expect((await client.next()).id).toBe(i);
  });

  it('lets the server publish through the broker', async () => {
    const client = await open();
    await client.request({ type: 'subscribe', topic: 'server', id: 1 });
    const result = await server.broker?.publish('server', { hello: 'world' });
    expect(result).toMatchObject({ delivered: 1, gone: 0, failed: 0 });
    expect(await client.next()).toEqual({
      type: 'message',
      topic: 'server',
      data: { hello: 'world' },
      offset: 1,
      epoch: expect.any(String),
    });
  });
});
