import { describe, expect, it } from 'vitest';
import { FrameSizeGuard } from '../../../src/runtimes/emulator/frame-size-guard.ts';

/** A masked client frame header with a 64-bit length (14 bytes), payload left out: only headers matter here. */
function header64(length: number): Buffer {
  const header = Buffer.alloc(14);
  header[0] = 0x81;
  header[1] = 0x80 | 127;
  header.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
  header.writeUInt32BE(length >>> 0, 6);
  return header;
}

describe('FrameSizeGuard on many connections at once', () => {
  it('keeps each connection’s half-read header apart when reads of different sockets interleave', () => {
    const tripped: Array<[string, number]> = [];
    const small = new FrameSizeGuard(1000, (length) => tripped.push(['small', length]));
    const large = new FrameSizeGuard(1000, (length) => tripped.push(['large', length]));
    const smallHeader = header64(999);
    const largeHeader = header64(70_000);
    // One byte at a time, alternating: every header straddles many reads of both sockets.
    for (let i = 0; i < 14; i++) {
      small.write(smallHeader.subarray(i, i + 1));
      large.write(largeHeader.subarray(i, i + 1));
    }
    expect(tripped).toEqual([['large', 70_000]]);
  });
});
