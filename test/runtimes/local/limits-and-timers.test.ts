import { connect as connectTcp } from 'node:net';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import {
  type LocalServer,
  type LocalServerOptions,
  startLocalServer,
} from '../../../src/runtimes/local/index.ts';
import { localServerPerTest } from '../../support/local-server.ts';
import type { TestClient } from './client.ts';
import { ObservedStore } from './observed-store.ts';

describe('local runtime: API Gateway limits and timers', () => {
  const servers = localServerPerTest();
  let server: LocalServer | undefined;
  let store: ObservedStore;

  async function start(options: LocalServerOptions = {}): Promise<LocalServer> {
    store = new ObservedStore();
    server = await servers.start({ store, ...options });
    return server;
  }

  async function open(): Promise<{ client: TestClient; connectionId: string }> {
    const client = await servers.open();
    return { client, connectionId: store.connected.at(-1) as string };
  }

  /** Sends one message as several frames, as some clients do. */
  function sendFragmented(ws: WebSocket, text: string, frameBytes: number): void {
    for (let start = 0; start < text.length; start += frameBytes) {
      const last = start + frameBytes >= text.length;
      ws.send(text.slice(start, start + frameBytes), { fin: last, binary: false });
    }
  }

  it('closes a connection that sends a frame over 32 KB with 1009 and fires $disconnect', async () => {
    await start();
    const { client, connectionId } = await open();
    const bystander = await open();
    const frame = JSON.stringify({ type: 'publish', topic: 't', data: 'x'.repeat(33 * 1024) });
    client.send(frame);
    expect((await client.closed).code).toBe(1009);
    await store.removal(connectionId);
    expect(await bystander.client.request({ type: 'ping', id: 1 })).toEqual({ type: 'pong', id: 1 });
  });

  it('accepts a 100 KB message sent as 25 KB frames, and refuses one over 128 KB with 1009', async () => {
    await start();
    const { client } = await open();
    const fits = JSON.stringify({ type: 'publish', topic: 't', data: 'x'.repeat(100 * 1024), id: 'big' });
    sendFragmented(client.ws, fits, 25 * 1024);
    expect(await client.next()).toEqual({
      type: 'published',
      topic: 't',
      id: 'big',
      offset: 1,
      epoch: expect.any(String),
    });

    const tooBig = JSON.stringify({ type: 'publish', topic: 't', data: 'x'.repeat(130 * 1024) });
    sendFragmented(client.ws, tooBig, 30 * 1024);
    expect((await client.closed).code).toBe(1009);
  });

  it('honours configured limits: a smaller frame limit closes earlier', async () => {
    await start({ limits: { maxFrameBytes: 1024 } });
    const { client } = await open();
    expect(await client.request({ type: 'ping', id: 'small' })).toEqual({ type: 'pong', id: 'small' });
    client.send({ type: 'publish', topic: 't', data: 'x'.repeat(2000) });
    expect((await client.closed).code).toBe(1009);
  });

  it('passes binary frames to the handler base64-encoded; the broker answers with an error', async () => {
    await start();
    const { client } = await open();
    client.ws.send(Buffer.from([0, 1, 2, 255]), { binary: true });
    expect(await client.next()).toMatchObject({
      type: 'error',
      code: 'binary_unsupported',
      retryable: false,
    });
    expect(await client.request({ type: 'subscribe', topic: 'after-binary', id: 1 })).toEqual({
      type: 'subscribed',
      topic: 'after-binary',
      id: 1,
      epoch: expect.any(String),
      offset: 0,
    });
  });

  it('reads a flooding client only as fast as the handler keeps up, losing and reordering nothing', async () => {
    await start({ limits: { maxQueuedMessages: 8 } });
    const { client } = await open();
    for (let i = 0; i < 300; i++) client.send({ type: 'unsubscribe', topic: `flood/${i}`, id: i });
    for (let i = 0; i < 300; i++) expect((await client.next()).id).toBe(i);
  });

  it('closes an idle connection with 1001 and cleans the store through $disconnect', async () => {
    await start({ limits: { idleTimeoutMs: 200 } });
    const { client, connectionId } = await open();
    await client.request({ type: 'subscribe', topic: 'idle', id: 1 });
    const opened = Date.now();
    expect(await client.closed).toEqual({ code: 1001, reason: 'Going away' });
    expect(Date.now() - opened).toBeGreaterThanOrEqual(190);
    await store.removal(connectionId);
    expect(await store.getConnection(connectionId)).toBeUndefined();
    expect(await store.topicsOf(connectionId)).toEqual([]);
  });

  it('counts outgoing traffic as activity: a connection receiving messages stays open past the idle timeout', async () => {
    const local = await start({ limits: { idleTimeoutMs: 250 } });
    const { client } = await open();
    await client.request({ type: 'subscribe', topic: 'feed', id: 1 });
    const started = Date.now();
    const feed = setInterval(() => void local.broker?.publish('feed', 'tick'), 60);
    try {
      for (let received = 0; received < 10; received++) await client.next();
      expect(Date.now() - started).toBeGreaterThan(250);
      expect(client.ws.readyState).toBe(WebSocket.OPEN);
    } finally {
      clearInterval(feed);
    }
    expect((await client.closed).code).toBe(1001);
  });

  it('ends every connection at the maximum duration, traffic or not', async () => {
    await start({ limits: { maxConnectionDurationMs: 300 } });
    const { client, connectionId } = await open();
    const started = Date.now();
    const chatter = setInterval(() => client.send({ type: 'ping' }), 40);
    try {
      expect(await client.closed).toEqual({ code: 1001, reason: 'Going away' });
    } finally {
      clearInterval(chatter);
    }
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    await store.removal(connectionId);
  });

  it('removes a subscriber whose socket died without $disconnect on the next publish', async () => {
    const local = await start();
    const { client, connectionId } = await open();
    await client.request({ type: 'subscribe', topic: 'news', id: 1 });
    // A ghost: in the store, subscribed, but not connected (its $disconnect never arrived). It was issued
    // by this server (its ids start with the server's marker); another server's ids are never `gone` here.
    const ghost = `${connectionId.slice(0, 4)}GhostConnX+/=`;
    await store.putConnection({
      connectionId: ghost,
      connectedAt: Date.now(),
      expiresAt: Date.now() / 1000 + 600,
    });
    expect(
      await store.subscribe(ghost, 'news', { expiresAt: Date.now() / 1000 + 600, maxSubscriptions: 10 }),
    ).toBe('subscribed');

    const result = await local.broker?.publish('news', 'first');
    expect(result).toMatchObject({ delivered: 1, gone: 1, failed: 0 });
    expect(await client.next()).toEqual({
      type: 'message',
      topic: 'news',
      data: 'first',
      offset: 1,
      epoch: expect.any(String),
    });
    expect(await store.getConnection(ghost)).toBeUndefined();
    expect(await store.topicsOf(ghost)).toEqual([]);
    expect(await local.broker?.publish('news', 'second')).toMatchObject({ delivered: 1, gone: 0 });
  });

  it('closes every connection with 1001 on close(), fires their $disconnect and releases the port', async () => {
    const local = await start();
    const opened = [await open(), await open(), await open()];
    await local.close();
    for (const { client, connectionId } of opened) {
      expect(await client.closed).toEqual({ code: 1001, reason: 'Going away' });
      await store.removal(connectionId);
    }
    expect(local.connections()).toBe(0);
    // The port is free again.
    const again = await startLocalServer({ port: local.port });
    await again.close();
    server = undefined;
  });

  it('waits in close() for connections that were already closing, so no $disconnect comes after it', async () => {
    const local = await start({ limits: { closeGraceMs: 300 } });
    // A client that completes the handshake and then never answers anything, the close frame included.
    const mute = connectTcp(local.port, '127.0.0.1');
    mute.on('error', () => {});
    mute.write(
      'GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    );
    await new Promise((resolve) => mute.once('data', resolve));
    const connectionId = store.connected.at(-1) as string;
    const deleted = await fetch(
      `${local.managementEndpoint}/@connections/${encodeURIComponent(connectionId)}`,
      {
        method: 'DELETE',
      },
    );
    expect(deleted.status).toBe(204);
    let removed = false;
    void store.removal(connectionId).then(() => {
      removed = true;
    });
    await local.close();
    expect(removed).toBe(true);
    mute.destroy();
    server = undefined;
  });
});
