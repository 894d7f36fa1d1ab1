import { describe, expect, it } from 'vitest';
import { parseServerFrame, readGatewayError } from '../../src/client/connection.ts';

describe('parseServerFrame', () => {
  it('reads JSON objects with a string type, and nothing else', () => {
    expect(parseServerFrame('{"type":"pong","id":"ping-1"}')).toEqual({ type: 'pong', id: 'ping-1' });
    for (const bad of ['', 'not json', '[]', 'null', '{"type":1}', '{"message":"Internal server error"}']) {
      expect(parseServerFrame(bad)).toBeUndefined();
    }
    expect(parseServerFrame(new ArrayBuffer(4))).toBeUndefined();
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
