import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Emitter } from '../../src/client/emitter.ts';
import { clientDefaults, isTopicsocketError, TopicsocketError } from '../../src/client/index.ts';
import { resolveOptions } from '../../src/client/options.ts';
import { connectUrl } from '../../src/client/url.ts';
import { resolveWebSocket } from '../../src/client/websocket.ts';

describe('connectUrl', () => {
  it('adds the token as ?token=, URL-encoded, keeping other parameters', () => {
    expect(connectUrl('wss://api.example.com/prod', undefined)).toBe('wss://api.example.com/prod');
    expect(connectUrl('wss://api.example.com/prod', '')).toBe('wss://api.example.com/prod');
    expect(connectUrl('wss://api.example.com/prod?app=1', 'a.b+c/=')).toBe(
      'wss://api.example.com/prod?app=1&token=a.b%2Bc%2F%3D',
    );
    expect(connectUrl('ws://127.0.0.1:3001?token=old', 'new')).toBe('ws://127.0.0.1:3001/?token=new');
  });
});

describe('TopicsocketError', () => {
  it('takes retryable from the code unless the server said otherwise', () => {
    expect(new TopicsocketError('rate_limited', 'slow down').retryable).toBe(true);
    expect(new TopicsocketError('forbidden', 'no').retryable).toBe(false);
    expect(new TopicsocketError('timeout', 'late').retryable).toBe(true);
    expect(new TopicsocketError('closed', 'bye').retryable).toBe(false);
    expect(new TopicsocketError('unavailable', 'x', { retryable: false }).retryable).toBe(false);
  });

  it('is an Error with a name, a topic and a cause', () => {
    const cause = new Error('inner');
    const error = new TopicsocketError('listener_failed', 'threw', { topic: 't', cause });
    expect(error).toBeInstanceOf(Error);
    expect(isTopicsocketError(error)).toBe(true);
    expect(isTopicsocketError(cause)).toBe(false);
    expect(error).toMatchObject({ name: 'TopicsocketError', code: 'listener_failed', topic: 't', cause });
  });
});

describe('Emitter', () => {
  it('calls listeners in order, removes them, and survives one that throws', async () => {
    const emitter = new Emitter<{ n: number }>();
    const seen: number[] = [];
    const off = emitter.on('n', (n) => seen.push(n));
    emitter.on('n', () => {
      throw new Error('listener bug');
    });
    emitter.on('n', (n) => seen.push(n * 10));
    const thrown = new Promise<unknown>((resolve) => process.once('uncaughtException', resolve));
    emitter.emit('n', 1);
    expect(seen).toEqual([1, 10]);
    // The error is not swallowed: it surfaces asynchronously, as an uncaught exception would.
    expect(await thrown).toMatchObject({ message: 'listener bug' });
    off();
    expect(emitter.listenerCount('n')).toBe(2);
  });
});

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
