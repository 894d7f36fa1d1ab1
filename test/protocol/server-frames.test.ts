/**
 * The client's reader of server frames (dependency-free guards) reads exactly the frame types: a table of
 * fields that differs from its type does not compile (the `@ts-expect-error` lines, checked by
 * `npm run check`), and at runtime every known frame is checked field by field.
 */
import { describe, expect, it } from 'vitest';
import type { ServerFrame } from '../../src/protocol/frames.ts';
import {
  fieldsOf,
  isNumber,
  isString,
  optional,
  parseServerFrame,
  readGatewayError,
} from '../../src/protocol/server-frames.ts';

interface Declared {
  type: 'x';
  topic: string;
  offset?: number;
}

describe('fieldsOf (compile time)', () => {
  it('accepts the fields of exactly the declared type, and refuses any drift', () => {
    fieldsOf<Declared>()({ topic: isString, offset: optional(isNumber) });
    // @ts-expect-error: `offset` is declared, the table lacks it
    fieldsOf<Declared>()({ topic: isString });
    // @ts-expect-error: `extra` is in the table, not declared
    fieldsOf<Declared>()({ topic: isString, offset: optional(isNumber), extra: optional(isString) });
    // @ts-expect-error: `offset` is optional in the type, required in the table
    fieldsOf<Declared>()({ topic: isString, offset: isNumber });
    // @ts-expect-error: `offset` is a number in the type, a string in the table
    fieldsOf<Declared>()({ topic: isString, offset: optional(isString) });
    expect(true).toBe(true);
  });
});

describe('parseServerFrame', () => {
  it('reads every server frame, optional fields included, and keeps fields it does not know', () => {
    const frames: ServerFrame[] = [
      { type: 'message', topic: 't', data: null, offset: 1, epoch: 'e' },
      { type: 'message', topic: 't', data: { a: [1] } },
      { type: 'subscribed', topic: 't', id: 1, recovered: false, reset: 'replayed', epoch: 'e', offset: 0 },
      { type: 'unsubscribed', topic: 't', id: 'u' },
      {
        type: 'published',
        topic: 't',
        id: 2,
        offset: 3,
        epoch: 'e',
        duplicate: true,
        scheduled: true,
        undelivered: 1,
      },
      { type: 'history', topic: 't', epoch: 'e', offset: 2, messages: [{ offset: 2, data: 'x' }], id: 3 },
      { type: 'pong', id: 'ping-1' },
      { type: 'pong' },
      { type: 'error', code: 'forbidden', message: 'no', retryable: false, id: 4 },
      { type: 'disconnect', reason: 'token_expired', message: 'bye', reconnect: true },
    ];
    for (const frame of frames) {
      expect(parseServerFrame(JSON.stringify(frame))).toEqual({ kind: 'frame', frame });
    }
    const newer = { type: 'pong', id: 1, latency: 3 };
    expect(parseServerFrame(JSON.stringify(newer))).toEqual({ kind: 'frame', frame: newer });
  });

  it("reports a newer server's frame type as unknown_type, to be ignored", () => {
    expect(parseServerFrame('{"type":"presence","topic":"t"}')).toEqual({
      kind: 'unknown_type',
      type: 'presence',
    });
    expect(parseServerFrame('{"type":"toString"}')).toEqual({ kind: 'unknown_type', type: 'toString' });
  });

  it('refuses what is not a frame, and known frames with a missing or mistyped field', () => {
    const invalid = [
      '',
      'not json',
      '[]',
      'null',
      '"text"',
      '{"type":1}',
      '{"message":"Internal server error"}',
      '{"type":"message","topic":"t"}',
      '{"type":"message","topic":1,"data":1}',
      '{"type":"message","topic":"t","data":1,"offset":"1"}',
      '{"type":"published","topic":"t","duplicate":"yes"}',
      '{"type":"error","code":"forbidden","message":"no"}',
      '{"type":"disconnect","reason":"policy","message":"x","reconnect":"no"}',
      '{"type":"history","topic":"t","epoch":"e","offset":1,"messages":[{"offset":"1","data":1}]}',
      '{"type":"pong","id":{"x":1}}',
    ];
    for (const text of invalid) expect(parseServerFrame(text), text).toEqual({ kind: 'invalid' });
    expect(parseServerFrame(new ArrayBuffer(4))).toEqual({ kind: 'invalid' });
  });
});

describe('readGatewayError', () => {
  it("reads API Gateway's own error frames only", () => {
    const frame = '{"message":"Internal server error","connectionId":"abc=","requestId":"r"}';
    expect(readGatewayError(frame)).toBe('Internal server error');
    for (const other of ['{"type":"error","message":"x"}', '{"message":1}', 'null', 'nope', '"text"']) {
      expect(readGatewayError(other)).toBeUndefined();
    }
  });
});
