import { randomBytes } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { WebSocketEvent } from '../../../src/core/index.ts';
import { type LocalServer, startLocalServer } from '../../../src/runtimes/local/index.ts';
import { TestClient } from '../local/client.ts';
import { RecordingHandler } from '../local/recording-handler.ts';

/**
 * Fidelity fixes found with third-party clients (issue 18, item 5). Each test failed before its fix; they use
 * only what the emulator offered before (`startLocalServer` with a handler, the HTTP management API).
 */

let server: LocalServer | undefined;
const clients: TestClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) await client.close();
  await server?.close();
  server = undefined;
});

async function start(recording: RecordingHandler, limits = {}) {
  server = await startLocalServer({ port: 0, handler: recording.handler, limits });
  return server;
}

async function open(url: string): Promise<TestClient> {
  const client = await TestClient.open(url);
  clients.push(client);
  return client;
}

/** One client-to-server frame (masked, as RFC 6455 requires of clients), with the first byte given. */
function rawFrame(firstByte: number, payload: Buffer): Buffer {
  const mask = randomBytes(4);
  const length = payload.length;
  const header =
    length < 126
      ? Buffer.from([firstByte, 0x80 | length])
      : Buffer.from([firstByte, 0x80 | 126, length >> 8, length & 0xff]);
  const masked = Buffer.from(payload.map((byte, index) => byte ^ (mask[index % 4] as number)));
  return Buffer.concat([header, mask, masked]);
}

function socketOf(client: TestClient): Duplex {
  return (client.ws as unknown as { _socket: Duplex })._socket;
}

describe('$disconnect reports the close code the client was sent when ws fails a connection', () => {
  const cases: Array<[string, number, (client: TestClient) => void]> = [
    // A text frame whose payload is not UTF-8.
    ['bad UTF-8', 1007, (client) => socketOf(client).write(rawFrame(0x81, Buffer.from([0xff, 0xfe])))],
    // RSV2 set without an extension that defines it: a protocol error.
    ['protocol error', 1002, (client) => socketOf(client).write(rawFrame(0xa1, Buffer.from('x')))],
    // Fragments each under the frame limit, together over the message limit.
    [
      'oversize fragmented message',
      1009,
      (client) => {
        const part = Buffer.alloc(500, 0x61);
        socketOf(client).write(
          Buffer.concat([
            rawFrame(0x01, part),
            rawFrame(0x00, part),
            rawFrame(0x00, part),
            rawFrame(0x80, part),
          ]),
        );
      },
    ],
  ];
  it.each(cases)('%s: %i', async (_name, code, misbehave) => {
    const recording = new RecordingHandler();
    const { url } = await start(recording, { maxMessageBytes: 1_200, maxFrameBytes: 800 });
    const client = await open(url);
    const connect = recording.of('$connect').at(-1) as WebSocketEvent;
    const disconnected = recording.next('$disconnect', connect.requestContext.connectionId);
    misbehave(client);
    expect((await client.closed).code).toBe(code);
    const event = (await disconnected).requestContext as unknown as { disconnectStatusCode: number };
    expect(event.disconnectStatusCode).toBe(code);
  });
});

describe('the @connections API', () => {
  it('sends a PostToConnection body that is not UTF-8 as a binary frame, and keeps the connection', async () => {
    const recording = new RecordingHandler();
    const { url, managementEndpoint } = await start(recording);
    const client = await open(url);
    const { connectionId } = (recording.of('$connect').at(-1) as WebSocketEvent).requestContext;
    const received = new Promise<{ data: Buffer; isBinary: boolean }>((resolve) => {
      client.ws.once('message', (data, isBinary) => resolve({ data: data as Buffer, isBinary }));
    });
    const bytes = Buffer.from([0x00, 0xff, 0xfe, 0x80]);
    const response = await fetch(`${managementEndpoint}/@connections/${encodeURIComponent(connectionId)}`, {
      method: 'POST',
      body: bytes,
    });
    expect(response.status).toBe(200);
    const message = await received;
    expect(message.isBinary).toBe(true);
    expect(Buffer.compare(message.data, bytes)).toBe(0);
    expect(await client.nextText()).toBe('<binary 4>');
    // Valid UTF-8 still goes out as text, and the connection is still open.
    const text = fetch(`${managementEndpoint}/@connections/${encodeURIComponent(connectionId)}`, {
      method: 'POST',
      body: 'héllo',
    });
    expect(await client.nextText()).toBe('héllo');
    expect((await text).status).toBe(200);
    expect(client.ws.readyState).toBe(WebSocket.OPEN);
  });

  it('GetConnection has identity.userAgent (empty) when the client sent none: the service model requires it', async () => {
    const recording = new RecordingHandler();
    const { url, managementEndpoint } = await start(recording);
    await open(url);
    const { connectionId } = (recording.of('$connect').at(-1) as WebSocketEvent).requestContext;
    const response = await fetch(`${managementEndpoint}/@connections/${encodeURIComponent(connectionId)}`);
    const body = (await response.json()) as { identity: Record<string, unknown> };
    expect(body.identity).toEqual({ sourceIp: '127.0.0.1', userAgent: '' });
  });
});

describe('docs/protocol.md and the code agree', () => {
  it('the dev server says server_shutdown before it closes connections with 1001', async () => {
    const local = await startLocalServer({ port: 0 });
    const client = await TestClient.open(local.url);
    const closing = local.close();
    expect(await client.next()).toMatchObject({
      type: 'disconnect',
      reason: 'server_shutdown',
      reconnect: true,
    });
    expect(await client.closed).toEqual({ code: 1001, reason: 'Going away' });
    await closing;
  });

  it('the ping route echoes any id, as the deployed MOCK integration does: ids are not validated there', async () => {
    const local = await startLocalServer({ port: 0 });
    server = local;
    const client = await open(local.url);
    const long = 'x'.repeat(300);
    expect(await client.request({ type: 'ping', id: long })).toEqual({ type: 'pong', id: long });
    expect(await client.request({ type: 'ping', id: { any: ['thing'] } })).toEqual({
      type: 'pong',
      id: { any: ['thing'] },
    });
  });
});
