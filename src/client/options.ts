import type { ClientOptions } from './types.ts';
import { resolveWebSocket, type WebSocketConstructor } from './websocket.ts';

/** Reconnect settings with every default filled in (internal). */
export interface ResolvedReconnect {
  enabled: boolean;
  minDelayMs: number;
  maxDelayMs: number;
  factor: number;
  stableAfterMs: number;
  maxAttempts: number;
}

/** Client options with every default filled in (internal). */
export interface ResolvedOptions {
  url: string;
  token: string | undefined;
  getToken: ClientOptions['getToken'];
  WebSocket: WebSocketConstructor;
  reconnect: ResolvedReconnect;
  pingIntervalMs: number;
  pongTimeoutMs: number;
  connectTimeoutMs: number;
  maxConnectionAgeMs: number;
  offlinePublish: 'queue' | 'reject';
  maxQueuedPublishes: number;
  ackTimeoutMs: number;
  maxFrameBytes: number;
  gapTimeoutMs: number;
  publishOrder: 'serial' | 'pipelined';
  random: () => number;
}

export const clientDefaults = {
  reconnect: { minDelayMs: 500, maxDelayMs: 20_000, factor: 2, stableAfterMs: 10_000, maxAttempts: Infinity },
  pingIntervalMs: 4 * 60_000,
  pongTimeoutMs: 10_000,
  connectTimeoutMs: 10_000,
  maxConnectionAgeMs: 110 * 60_000,
  offlinePublish: 'queue',
  maxQueuedPublishes: 100,
  ackTimeoutMs: 10_000,
  maxFrameBytes: 32 * 1024,
  gapTimeoutMs: 2000,
  publishOrder: 'serial',
} as const;

/** Share of `maxConnectionAgeMs` taken off at random so a fleet does not roll over at the same minute. */
export const AGE_JITTER = 0.1;

export function resolveOptions(options: ClientOptions): ResolvedOptions {
  if (typeof options.url !== 'string' || options.url === '') {
    throw new TypeError('createClient: url is required');
  }
  const problem = urlProblem(options.url);
  if (problem) throw new TypeError(`createClient: ${problem}`);
  const reconnect = options.reconnect === false ? {} : (options.reconnect ?? {});
  return {
    url: options.url,
    token: options.token,
    getToken: options.getToken,
    WebSocket: resolveWebSocket(options.WebSocket),
    reconnect: { enabled: options.reconnect !== false, ...clientDefaults.reconnect, ...defined(reconnect) },
    pingIntervalMs: options.pingIntervalMs ?? clientDefaults.pingIntervalMs,
    pongTimeoutMs: options.pongTimeoutMs ?? clientDefaults.pongTimeoutMs,
    connectTimeoutMs: options.connectTimeoutMs ?? clientDefaults.connectTimeoutMs,
    maxConnectionAgeMs: options.maxConnectionAgeMs ?? clientDefaults.maxConnectionAgeMs,
    offlinePublish: options.offlinePublish ?? clientDefaults.offlinePublish,
    maxQueuedPublishes: options.maxQueuedPublishes ?? clientDefaults.maxQueuedPublishes,
    ackTimeoutMs: options.ackTimeoutMs ?? clientDefaults.ackTimeoutMs,
    maxFrameBytes: options.maxFrameBytes ?? clientDefaults.maxFrameBytes,
    gapTimeoutMs: options.gapTimeoutMs ?? clientDefaults.gapTimeoutMs,
    publishOrder: options.publishOrder ?? clientDefaults.publishOrder,
    random: options.random ?? Math.random,
  };
}

/**
 * Only ws:// and wss://. Browsers and `ws` would take http(s) too, but an http URL here is usually the
 * server's other URL (publish API, `@connections`, the console): refused, saying which URL to use.
 */
function urlProblem(url: string): string | undefined {
  let protocol: string;
  try {
    protocol = new URL(url).protocol;
  } catch {
    return `url must be a ws:// or wss:// URL, got "${url}"`;
  }
  if (protocol === 'ws:' || protocol === 'wss:') return undefined;
  if (protocol === 'http:' || protocol === 'https:') {
    const suggestion = `${protocol === 'https:' ? 'wss' : 'ws'}${url.slice(protocol.length - 1)}`;
    return `url must be a ws:// or wss:// URL (the WebSocket URL), got "${url}"; did you mean "${suggestion}"?`;
  }
  return `url must be a ws:// or wss:// URL, got "${url}"`;
}

/** Drops keys set to `undefined`, so they do not override defaults in a spread. */
function defined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
