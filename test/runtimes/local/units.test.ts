import type { Duplex } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { FrameSizeGuard } from '../../../src/runtimes/emulator/frame-size-guard.ts';
import { normalizeResult } from '../../../src/runtimes/emulator/handler.ts';
import { acceptedProtocol } from '../../../src/runtimes/emulator/handshake.ts';
import { awsStyleId } from '../../../src/runtimes/emulator/ids.ts';
import { LocalConnection } from '../../../src/runtimes/emulator/local-connection.ts';
import { mockPingReply } from '../../../src/runtimes/emulator/ping-route.ts';
import { formatRequestTime } from '../../../src/runtimes/emulator/request-context.ts';
import { ConsoleLogger } from '../../../src/runtimes/local/console-logger.ts';

/** A masked client frame header for a payload of `length` bytes (payload bytes follow, zero-filled). */
function clientFrame(opcode: number, length: number, fin = true): Buffer {
  const extended = length < 126 ? 0 : length < 65536 ? 2 : 8;
  const header = Buffer.alloc(2 + extended + 4);
  header[0] = (fin ? 0x80 : 0) | opcode;
  if (extended === 0) header[1] = 0x80 | length;
  else if (extended === 2) {
    header[1] = 0x80 | 126;
    header.writeUInt16BE(length, 2);
  } else {
    header[1] = 0x80 | 127;
    header.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
    header.writeUInt32BE(length >>> 0, 6);
  }
  return Buffer.concat([header, Buffer.alloc(length)]);
}

function feed(guard: FrameSizeGuard, bytes: Buffer, chunkSize: number): void {
  for (let start = 0; start < bytes.length; start += chunkSize)
    guard.write(bytes.subarray(start, start + chunkSize));
}

describe('FrameSizeGuard', () => {
  it('lets frames up to the limit through, however the stream is chunked', () => {
    for (const chunkSize of [1, 3, 7, 1000, 100_000]) {
      const tripped: number[] = [];
      const guard = new FrameSizeGuard(32 * 1024, (length) => tripped.push(length));
      const stream = Buffer.concat([
        clientFrame(0x1, 10),
        clientFrame(0x1, 200, false),
        clientFrame(0x0, 32 * 1024),
        clientFrame(0x9, 125),
        clientFrame(0x2, 0),
        clientFrame(0x1, 32 * 1024),
      ]);
      feed(guard, stream, chunkSize);
      expect(tripped).toEqual([]);
    }
  });

  it('reports the first data frame over the limit, with 16- and 64-bit lengths', () => {
    for (const [limit, length] of [
      [100, 101],
      [32 * 1024, 32 * 1024 + 1],
      [32 * 1024, 70_000],
    ] as const) {
      const tripped: number[] = [];
      const guard = new FrameSizeGuard(limit, (payloadLength) => tripped.push(payloadLength));
      feed(
        guard,
        Buffer.concat([clientFrame(0x1, 5), clientFrame(0x1, length), clientFrame(0x1, length)]),
        5,
      );
      expect(tripped).toEqual([length]);
    }
  });
});

describe('ConsoleLogger', () => {
  it('writes Powertools-shaped JSON lines and keeps bodies and tokens out above debug', () => {
    const lines: string[] = [];
    const logger = new ConsoleLogger({ level: 'info', write: (line) => lines.push(line), service: 'svc' });
    logger.debug('hidden');
    logger.info('connected', { connectionId: 'abc=', route: '$connect', token: 'secret', body: '{"x":1}' });
    logger.error('failed', { error: new Error('boom') });
    expect(lines).toHaveLength(2);
    const first = JSON.parse(lines[0] as string);
    expect(Object.keys(first)).toEqual(['level', 'message', 'timestamp', 'service', 'connectionId', 'route']);
    expect(first).toMatchObject({
      level: 'INFO',
      message: 'connected',
      service: 'svc',
      connectionId: 'abc=',
    });
    expect(lines[0]).not.toContain('secret');
    expect(JSON.parse(lines[1] as string).error).toEqual({ name: 'Error', message: 'boom' });

    const debugLines: string[] = [];
    new ConsoleLogger({ level: 'debug', write: (line) => debugLines.push(line) }).debug('frame', {
      body: 'x',
    });
    expect(JSON.parse(debugLines[0] as string).body).toBe('x');
  });
});

describe('emulator details', () => {
  it('makes AWS-shaped ids', () => {
    const ids = new Set(Array.from({ length: 2000 }, awsStyleId));
    expect(ids.size).toBe(2000);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9+/]{15}=$/);
    expect([...ids].some((id) => id.includes('+') || id.includes('/'))).toBe(true);
  });

  it('formats requestTime as API Gateway does', () => {
    expect(formatRequestTime(Date.UTC(2023, 6, 20, 23, 29, 5))).toBe('20/Jul/2023:23:29:05 +0000');
  });

  it('reads handler results as API Gateway reads Lambda proxy results', () => {
    expect(normalizeResult(undefined)).toEqual({ statusCode: 200 });
    expect(normalizeResult('text')).toEqual({ statusCode: 200, body: 'text' });
    expect(normalizeResult({ statusCode: 401, headers: { A: 1 } })).toEqual({
      statusCode: 401,
      headers: { A: '1' },
    });
  });

  it('accepts only an echoed, offered subprotocol', () => {
    expect(acceptedProtocol(['a', 'b'], { 'sec-websocket-protocol': 'b' })).toBe('b');
    expect(acceptedProtocol(['a'], { 'Sec-WebSocket-Protocol': 'c' })).toBeUndefined();
    expect(acceptedProtocol(['a'], {})).toBeUndefined();
    expect(acceptedProtocol([], { 'Sec-WebSocket-Protocol': 'a' })).toBeUndefined();
  });

  it('answers only real ping frames on the mock route', () => {
    expect(mockPingReply('{"type":"ping"}')).toBe('{"type":"pong"}');
    expect(mockPingReply('{"id":"7","type":"ping"}')).toBe('{"type":"pong","id":"7"}');
    expect(mockPingReply('{"type":"ping","id":1')).toBeUndefined();
    expect(mockPingReply('"ping"')).toBeUndefined();
    expect(mockPingReply('{"type":"publish","topic":"ping","data":1}')).toBeUndefined();
  });
});

describe('LocalConnection queue', () => {
  it('runs work in order, one at a time, and stops reading the socket while too much is queued', async () => {
    const socketCalls: string[] = [];
    const socket = {
      pause: () => socketCalls.push('pause'),
      resume: () => socketCalls.push('resume'),
    } as unknown as WebSocket;
    const identity = { connectionId: 'c=', connectedAt: Date.now(), sourceIp: '127.0.0.1' };
    const connection = new LocalConnection(identity, socket, {} as Duplex, 4);
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const order: number[] = [];
    let running = 0;
    let done: () => void = () => {};
    const finished = new Promise<void>((resolve) => {
      done = resolve;
    });
    for (let i = 0; i < 6; i++) {
      connection.enqueue(async () => {
        running++;
        expect(running).toBe(1);
        await gate;
        order.push(i);
        running--;
        if (i === 5) done();
      });
    }
    // The first task is running; five wait, past the limit of four.
    expect(connection.queued).toBe(5);
    expect(socketCalls).toEqual(['pause']);
    release();
    await finished;
    expect(order).toEqual([0, 1, 2, 3, 4, 5]);
    expect(socketCalls).toEqual(['pause', 'resume']);
  });
});
