import { describe, expect, it } from 'vitest';
import { acceptedProtocol } from '../../../src/runtimes/emulator/handshake.ts';

describe('acceptedProtocol', () => {
  it('accepts only an echoed, offered subprotocol', () => {
    expect(acceptedProtocol(['a', 'b'], { 'sec-websocket-protocol': 'b' })).toBe('b');
    expect(acceptedProtocol(['a'], { 'Sec-WebSocket-Protocol': 'c' })).toBeUndefined();
    expect(acceptedProtocol(['a'], {})).toBeUndefined();
    expect(acceptedProtocol([], { 'Sec-WebSocket-Protocol': 'a' })).toBeUndefined();
  });
});
