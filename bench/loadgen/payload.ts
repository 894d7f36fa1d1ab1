/**
 * Benchmark message data: `{"s":<sequence>,"t":<send time, µs>,"p":"xx…"}` padded to an exact byte size,
 * so every delivery can be counted (lost, duplicated) and timed without trusting the server.
 */
export interface BenchData {
  s: number;
  t: number;
  p: string;
}

export function nowMicros(): number {
  return Math.round(performance.now() * 1000);
}

export function benchData(seq: number, sentAtMicros: number, payloadBytes: number): BenchData {
  const head = `{"s":${seq},"t":${sentAtMicros},"p":""}`.length;
  return { s: seq, t: sentAtMicros, p: 'x'.repeat(Math.max(0, payloadBytes - head)) };
}

export function benchDataJson(seq: number, sentAtMicros: number, payloadBytes: number): string {
  return JSON.stringify(benchData(seq, sentAtMicros, payloadBytes));
}

const MESSAGE_PREFIX = Buffer.from('{"type":"message"');
const SEQ_MARK = Buffer.from('"s":');
const TIME_MARK = Buffer.from('"t":');

/** Reads sequence and send time from a delivered `message` frame without parsing all of it; undefined for other frames. */
export function readDelivery(frame: Buffer): { seq: number; sentAtMicros: number } | undefined {
  if (frame.length < MESSAGE_PREFIX.length) return undefined;
  if (frame.compare(MESSAGE_PREFIX, 0, MESSAGE_PREFIX.length, 0, MESSAGE_PREFIX.length) !== 0)
    return undefined;
  const seqAt = frame.indexOf(SEQ_MARK, MESSAGE_PREFIX.length);
  if (seqAt < 0) return undefined;
  const timeAt = frame.indexOf(TIME_MARK, seqAt);
  if (timeAt < 0) return undefined;
  return {
    seq: readInteger(frame, seqAt + SEQ_MARK.length),
    sentAtMicros: readInteger(frame, timeAt + TIME_MARK.length),
  };
}

function readInteger(buffer: Buffer, start: number): number {
  let value = 0;
  for (let i = start; i < buffer.length; i++) {
    const digit = buffer[i]! - 48;
    if (digit < 0 || digit > 9) break;
    value = value * 10 + digit;
  }
  return value;
}
