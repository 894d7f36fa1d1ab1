import { describe, expect, it } from 'vitest';
import { FrameSizeGuard } from '../../../src/runtimes/emulator/frame-size-guard.ts';

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
