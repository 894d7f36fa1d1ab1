import { describe, expect, it } from 'vitest';
import * as ws from 'ws';
import { encodeTextFrame } from '../../../src/runtimes/emulator/text-frame.ts';

/** ws's own framing (not in its type declarations), the reference the pre-encoded frames must match. */
const Sender = (ws as unknown as { Sender: { frame(data: Buffer, options: object): Buffer[] } }).Sender;

function wsFrame(text: string): Buffer {
  const data = Buffer.from(text, 'utf8');
  return Buffer.concat(
    Sender.frame(data, { fin: true, opcode: 1, mask: false, readOnly: true, rsv1: false }),
  );
}

describe('encodeTextFrame', () => {
  it.each([0, 1, 125, 126, 127, 65535, 65536, 200_000])('matches ws byte for byte at %i bytes', (length) => {
    const text = 'a'.repeat(length);
    expect(encodeTextFrame(text).equals(wsFrame(text))).toBe(true);
  });

  it('measures multi-byte UTF-8 in bytes, not characters', () => {
    const text = 'é'.repeat(100); // 200 bytes: needs the 16-bit length form
    const frame = encodeTextFrame(text);
    expect(frame[1]).toBe(126);
    expect(frame.readUInt16BE(2)).toBe(200);
    expect(frame.equals(wsFrame(text))).toBe(true);
  });
});
