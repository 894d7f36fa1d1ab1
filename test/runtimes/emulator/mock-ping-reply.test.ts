import { describe, expect, it } from 'vitest';
import { mockPingReply } from '../../../src/runtimes/emulator/ping-route.ts';

describe('mockPingReply', () => {
  it('answers only real ping frames on the mock route', () => {
    expect(mockPingReply('{"type":"ping"}')).toBe('{"type":"pong"}');
    expect(mockPingReply('{"id":"7","type":"ping"}')).toBe('{"type":"pong","id":"7"}');
    expect(mockPingReply('{"type":"ping","id":1')).toBeUndefined();
    expect(mockPingReply('"ping"')).toBeUndefined();
    expect(mockPingReply('{"type":"publish","topic":"ping","data":1}')).toBeUndefined();
  });
});
