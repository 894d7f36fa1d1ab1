/**
 * Watches the raw byte stream from a client for data frames larger than API Gateway's frame limit.
 *
 * `ws` only limits whole messages (`maxPayload`), but API Gateway limits each frame (32 KB) and each message
 * (128 KB) separately: a 100 KB message sent as four 25 KB fragments is fine, one 33 KB frame is not. The
 * guard reads just the frame headers (payload bytes are skipped, not copied), so it costs next to nothing.
 */
/**
 * Header bytes are gathered here while one `write` runs (writes are synchronous, so one buffer serves every
 * guard); only a header split across two reads is kept per guard, in `pending`. Idle connections then hold
 * no buffer of their own.
 */
const scratch = Buffer.alloc(14);

export class FrameSizeGuard {
  private pending: Buffer | undefined;
  private headerLength = 0;
  /** Payload bytes of the current frame still to skip. */
  private remaining = 0;
  private tripped = false;

  constructor(
    private readonly maxFrameBytes: number,
    /** Optional: `write`'s return value says the same, so one listener can serve every connection's guard. */
    private readonly onOversizeFrame?: (payloadLength: number) => void,
  ) {}

  /** Returns the payload length of the frame that tripped the guard, on the write that tripped it. */
  write(chunk: Buffer): number | undefined {
    const header = scratch;
    if (this.headerLength > 0) this.pending?.copy(header, 0, 0, this.headerLength);
    let i = 0;
    while (i < chunk.length && !this.tripped) {
      if (this.remaining > 0) {
        const skipped = Math.min(this.remaining, chunk.length - i);
        this.remaining -= skipped;
        i += skipped;
        continue;
      }
      header[this.headerLength++] = chunk[i++] as number;
      const size = headerSize(header, this.headerLength);
      if (size === undefined || this.headerLength < size) continue;
      this.headerLength = 0;
      const opcode = (header[0] as number) & 0x0f;
      const payloadLength = readPayloadLength(header);
      // Control frames (opcode >= 8) are capped at 125 bytes by the protocol itself.
      if (opcode < 0x08 && payloadLength > this.maxFrameBytes) {
        this.tripped = true;
        this.onOversizeFrame?.(payloadLength);
        return payloadLength;
      }
      this.remaining = payloadLength;
    }
    if (this.headerLength > 0) {
      this.pending ??= Buffer.alloc(14);
      header.copy(this.pending, 0, 0, this.headerLength);
    }
    return undefined;
  }
}

/** Total header size once enough of it is known (RFC 6455 §5.2), else undefined. */
function headerSize(header: Buffer, known: number): number | undefined {
  if (known < 2) return undefined;
  const second = header[1] as number;
  const length7 = second & 0x7f;
  const extended = length7 === 126 ? 2 : length7 === 127 ? 8 : 0;
  const mask = second & 0x80 ? 4 : 0;
  return 2 + extended + mask;
}

function readPayloadLength(header: Buffer): number {
  const length7 = (header[1] as number) & 0x7f;
  if (length7 === 126) return header.readUInt16BE(2);
  if (length7 === 127) return header.readUInt32BE(2) * 2 ** 32 + header.readUInt32BE(6);
  return length7;
}
