import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { clientDefaults } from '../../src/client/index.ts';
import { resolveOptions } from '../../src/client/options.ts';
import { resolveWebSocket } from '../../src/client/websocket.ts';

describe('resolveOptions', () => {
  it('fills in the documented defaults', () => {
    const options = resolveOptions({ url: 'ws://x', WebSocket });
    expect(options).toMatchObject({
      reconnect: { enabled: true, minDelayMs: 500, maxDelayMs: 20_000, factor: 2, stableAfterMs: 10_000 },
      pingIntervalMs: 240_000,
      pongTimeoutMs: 10_000,
      maxConnectionAgeMs: 110 * 60_000,
      offlinePublish: 'queue',
      maxQueuedPublishes: 100,
      ackTimeoutMs: 10_000,
      maxFrameBytes: 32 * 1024,
    });
    expect(options.reconnect.maxAttempts).toBe(Number.POSITIVE_INFINITY);
    // Pings well inside API Gateway's 10-minute idle timeout; rollover well before its 2-hour cap.
    expect(clientDefaults.pingIntervalMs).toBeLessThan((10 * 60_000) / 2);
    expect(clientDefaults.maxConnectionAgeMs).toBeLessThan(2 * 60 * 60_000);
  });

  it('keeps defaults for options given as undefined, and turns reconnect off with false', () => {
    const options = resolveOptions({
      url: 'ws://x',
      WebSocket,
      reconnect: { minDelayMs: undefined, maxDelayMs: 5 },
    });
    expect(options.reconnect).toMatchObject({ minDelayMs: 500, maxDelayMs: 5 });
    expect(resolveOptions({ url: 'ws://x', WebSocket, reconnect: false }).reconnect.enabled).toBe(false);
  });

  it('requires a url, and a WebSocket when there is no global one', () => {
    expect(() => resolveOptions({ url: '', WebSocket })).toThrow(/url is required/);
    expect(() => resolveOptions({ url: 'localhost:3001', WebSocket })).toThrow(/ws:\/\/ or wss:\/\//);
    expect(() => resolveOptions({ url: 'not a url', WebSocket })).toThrow(TypeError);
    expect(resolveOptions({ url: 'wss://abc.execute-api.eu-west-1.amazonaws.com/prod', WebSocket }).url).toBe(
      'wss://abc.execute-api.eu-west-1.amazonaws.com/prod',
    );
    const global = globalThis as { WebSocket?: unknown };
    const saved = global.WebSocket;
    try {
      delete global.WebSocket;
      expect(() => resolveWebSocket(undefined)).toThrow(/no global WebSocket/);
      global.WebSocket = WebSocket;
      expect(resolveWebSocket(undefined)).toBe(WebSocket);
    } finally {
      global.WebSocket = saved;
    }
  });
});

describe('createClient URL check', () => {
  it('refuses http(s) URLs, naming the ws(s) one to use, and anything else that is not ws(s)', () => {
    expect(() => resolveOptions({ url: 'http://127.0.0.1:3001', WebSocket })).toThrow(
      'createClient: url must be a ws:// or wss:// URL (the WebSocket URL), got "http://127.0.0.1:3001"; did you mean "ws://127.0.0.1:3001"?',
    );
    expect(() =>
      resolveOptions({ url: 'https://abc.execute-api.eu-west-1.amazonaws.com/prod', WebSocket }),
    ).toThrow('did you mean "wss://abc.execute-api.eu-west-1.amazonaws.com/prod"?');
    expect(() => resolveOptions({ url: 'ftp://x', WebSocket })).toThrow(
      'createClient: url must be a ws:// or wss:// URL, got "ftp://x"',
    );
    expect(() => resolveOptions({ url: 'localhost:3001', WebSocket })).toThrow(TypeError);
    expect(resolveOptions({ url: 'wss://x.example/prod', WebSocket }).url).toBe('wss://x.example/prod');
  });
});
