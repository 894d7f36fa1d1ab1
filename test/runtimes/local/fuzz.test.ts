import { connect as connectTcp, type Socket } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { ErrorCodes, parseClientFrame } from '../../../src/protocol/index.ts';
import { mockPingReply } from '../../../src/runtimes/emulator/ping-route.ts';
import type { LocalServer } from '../../../src/runtimes/local/index.ts';
import { seededRandom } from '../../client/support/events.ts';
import { localServerForFile } from '../../support/local-server.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 20261130);
const FUZZERS = 4;
const FRAMES_PER_FUZZER = 2_600;
const CHECK_TOPIC = 'fuzz/check';

type BadFrame = { data: string | Buffer; binary: boolean };

function generators(random: () => number) {
  const int = (max: number) => Math.floor(random() * max);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;
  const chars = [
    ...'abc{}[]":,\\ \t\n\u0000\u00e9\u4e2d\ud83d\ude00\ud800xyz0123456789-+.eE/@=~truefalsenull',
  ];
  const randomText = (length: number) => {
    let text = '';
    for (let i = 0; i < length; i++) text += pick(chars);
    return text;
  };
  const keys = ['type', 'topic', 'id', 'data', 'message', '__proto__', 'constructor', '', 'TYPE'];
  const types = ['subscribe', 'unsubscribe', 'publish', 'message', 'ping', 'pong', 'error', '', 'SUBSCRIBE'];
  const randomJson = (depth: number): unknown => {
    switch (depth > 4 ? int(4) : int(7)) {
      case 0:
        return pick([0, -1, 1.5, 1e308, Number.MAX_SAFE_INTEGER + 2, -0]);
      case 1:
        return randomText(int(20));
      case 2:
        return pick([true, false, null]);
      case 3:
        return pick(types);
      case 4:
        return Array.from({ length: int(4) }, () => randomJson(depth + 1));
      default:
        return Object.fromEntries(Array.from({ length: int(5) }, () => [pick(keys), randomJson(depth + 1)]));
    }
  };
  const oddTopics = [
    '',
    ' ',
    'has space',
    'tab\there',
    'nul\u0000',
    '\ud83d\ude00',
    'a'.repeat(257),
    'x'.repeat(5000),
    '../../etc',
    'topic\nnewline',
    '\u202etxt',
  ];

  const text = (value: string): BadFrame => ({ data: value, binary: false });
  const json = (value: unknown): BadFrame => text(JSON.stringify(value));
  return [
    () => ({ data: Buffer.from(Array.from({ length: 1 + int(256) }, () => int(256))), binary: true }),
    () => text(randomText(1 + int(200))),
    () => json(randomJson(0)),
    () => json({ type: pick(types), topic: pick(oddTopics), id: int(1000) }),
    () => json({ type: pick(['subscribe', 'unsubscribe', 'publish']), topic: randomJson(3), data: 1 }),
    () => json({ type: 'publish', topic: pick(oddTopics), data: randomJson(0), id: `p${int(100)}` }),
    () => json({ type: randomJson(3), topic: 'ok', id: randomJson(3) }),
    () => {
      const depth = 1 + int(1_000);
      return text(`${'['.repeat(depth)}${']'.repeat(depth)}`);
    },
    () => {
      const depth = 1 + int(800);
      return text(`{"type":"publish","topic":" bad","data":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`);
    },
    () => text(JSON.stringify({ type: 'subscribe', topic: 'ok', id: 1 }).slice(0, int(30))),
    () =>
      text(
        pick(['1e309', 'NaN', '-0', '""', '[]', '{}', 'null', '{"type":null}', '{"__proto__":{"type":1}}']),
      ),
    () => json({ type: 'publish', topic: 'ok', data: 'x'.repeat(8_000 + int(8_000)), id: { not: 'an id' } }),
  ];
}

/** A frame the server must answer with exactly one error frame: invalid by the protocol, and not a ping. */
function nextBadFrame(make: Array<() => BadFrame>, random: () => number): BadFrame {
  for (;;) {
    const frame = (make[Math.floor(random() * make.length)] as () => BadFrame)();
    if (frame.binary) return frame;
    const text = frame.data as string;
    if (Buffer.byteLength(text) > 32 * 1024) continue;
    if (mockPingReply(text) !== undefined) continue;
    if (!parseClientFrame(text).ok) return frame;
  }
}

/**
 * Opens a raw TCP connection, performs a WebSocket handshake by hand (or not), then writes `bytes`.
 * Resolves with the server's first answer to them (undefined if it just hung up).
 */
function rawSocket(port: number, handshake: boolean, bytes: Buffer): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const socket: Socket = connectTcp(port, '127.0.0.1', () => {
      if (!handshake) {
        socket.write(bytes);
        return;
      }
      socket.write(
        'GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
          'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
      );
      socket.once('data', () => {
        socket.write(bytes);
        socket.once('data', (answer: Buffer) => {
          socket.destroy();
          resolve(answer);
        });
      });
    });
    socket.on('error', () => {});
    socket.on('close', () => resolve(undefined));
    socket.setTimeout(5_000, () => socket.destroy());
  });
}

describe('local runtime: fuzzing with malformed frames', () => {
  const local = localServerForFile();
  let server: LocalServer;
  const open = () => local.open();

  beforeAll(() => {
    server = local.server;
  });

  it(`answers ${FUZZERS * FRAMES_PER_FUZZER} malformed frames with error frames and keeps delivering`, async () => {
    // Deterministic (mulberry32), so a failure can be replayed with FUZZ_SEED.
    const random = seededRandom(SEED);
    const make = generators(random);

    const subscribers = [await open(), await open(), await open()];
    const fuzzers = await Promise.all(Array.from({ length: FUZZERS }, open));
    for (const [index, client] of [...subscribers, ...fuzzers].entries()) {
      expect(await client.request({ type: 'subscribe', topic: CHECK_TOPIC, id: index })).toMatchObject({
        type: 'subscribed',
      });
    }

    const replies = fuzzers.map(async (client) => {
      for (let i = 0; i < FRAMES_PER_FUZZER; i++) {
        const frame = nextBadFrame(make, random);
        client.ws.send(frame.data, { binary: frame.binary });
      }
      const codes = new Map<string, number>();
      for (let i = 0; i < FRAMES_PER_FUZZER; i++) {
        // Generous: the machine may be shared; a missing reply still fails.
        const reply = await client.next(20_000);
        expect(reply.type).toBe('error');
        expect(Object.hasOwn(ErrorCodes, reply.code as string)).toBe(true);
        expect(typeof reply.retryable).toBe('boolean');
        codes.set(reply.code as string, (codes.get(reply.code as string) ?? 0) + 1);
      }
      return codes;
    });

    // Connection-ending abuse, each on a throwaway connection.
    const oversize = await open();
    oversize.ws.send('x'.repeat(40 * 1024));
    const invalidUtf8 = await open();
    invalidUtf8.ws.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false });
    const hugeMessage = await open();
    for (let i = 0; i < 6; i++) hugeMessage.ws.send('y'.repeat(30 * 1024), { fin: i === 5, binary: false });
    const garbage = Buffer.from(Array.from({ length: 64 }, (_, i) => (i * 37 + 11) & 0xff));
    const [afterHandshake] = await Promise.all([
      rawSocket(server.port, true, garbage),
      rawSocket(server.port, false, garbage),
    ]);
    // A close frame (opcode 8) with 1002, protocol error: unmasked, reserved bits set.
    expect(afterHandshake?.[0]).toBe(0x88);
    expect(afterHandshake?.readUInt16BE(2)).toBe(1002);
    expect((await oversize.closed).code).toBe(1009);
    expect((await invalidUtf8.closed).code).toBe(1007);
    expect((await hugeMessage.closed).code).toBe(1009);

    const settled = await Promise.allSettled(replies);
    const failure = settled.find((outcome) => outcome.status === 'rejected');
    if (failure) throw failure.reason;
    const codes = settled.map((outcome) => (outcome as PromiseFulfilledResult<Map<string, number>>).value);
    const seen = new Set(codes.flatMap((map) => [...map.keys()]));
    expect([...seen]).toEqual(
      expect.arrayContaining(['bad_json', 'bad_frame', 'unknown_type', 'invalid_topic']),
    );
    expect(seen.has('binary_unsupported')).toBe(true);

    // The server still works for everyone: a normal publish reaches every subscriber.
    const publisher = await open();
    expect(
      await publisher.request({ type: 'publish', topic: CHECK_TOPIC, data: 'still alive', id: 'final' }),
    ).toEqual({
      type: 'published',
      topic: CHECK_TOPIC,
      id: 'final',
      offset: expect.any(Number),
      epoch: expect.any(String),
    });
    for (const client of [...subscribers, ...fuzzers]) {
      expect(await client.next()).toEqual({
        type: 'message',
        topic: CHECK_TOPIC,
        data: 'still alive',
        offset: expect.any(Number),
        epoch: expect.any(String),
      });
    }
    expect(server.connections()).toBe(subscribers.length + fuzzers.length + 1);
  });
});
