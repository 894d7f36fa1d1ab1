import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalServer, startLocalServer } from '../../../src/runtimes/local/index.ts';
import { TestClient } from './client.ts';
import { RecordingHandler } from './recording-handler.ts';

describe('local runtime: the ping route (MOCK integration)', () => {
  let server: LocalServer;
  let client: TestClient;
  const recorder = new RecordingHandler((event) =>
    event.requestContext.routeKey === '$default'
      ? { statusCode: 200, body: `handled ${event.body}` }
      : undefined,
  );

  beforeAll(async () => {
    server = await startLocalServer({ port: 0, handler: recorder.handler });
    client = await TestClient.open(server.url);
  });

  afterAll(async () => {
    await client.close();
    await server.close();
  });

  it('answers pings without invoking the handler, echoing the id exactly when there is one', async () => {
    expect(await client.request({ type: 'ping' })).toEqual({ type: 'pong' });
    expect(await client.request({ type: 'ping', id: 'abc' })).toEqual({ type: 'pong', id: 'abc' });
    expect(await client.request({ type: 'ping', id: 42 })).toEqual({ type: 'pong', id: 42 });
    expect(await client.request({ type: 'ping', id: { nested: [1, 2] } })).toEqual({
      type: 'pong',
      id: { nested: [1, 2] },
    });
    expect(await client.request({ type: 'ping', id: null })).toEqual({ type: 'pong', id: null });
    expect(recorder.of('$default')).toHaveLength(0);
  });

  it('routes everything else, near-pings included, to $default', async () => {
    for (const text of ['ping', '{"type":"PING"}', '["ping"]', '{"kind":"ping"}', '{"type":"pinged"}']) {
      client.send(text);
      expect(await client.nextText()).toBe(`handled ${text}`);
      expect(recorder.of('$default').at(-1)?.body).toBe(text);
    }
    expect(recorder.of('$default')).toHaveLength(5);
  });
});
