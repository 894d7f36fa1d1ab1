import { type ErrorCode, ErrorCodes } from '../protocol/codes.ts';
import type { ConnectRefusal } from './errors.ts';

/** The parts of Node's `http.IncomingMessage` read here (typed structurally: this file bundles for browsers). */
interface ResponseLike {
  statusCode?: number;
  statusMessage?: string;
  headers: Record<string, string | string[] | undefined>;
  setEncoding?(encoding: 'utf8'): void;
  on(event: 'data', listener: (chunk: unknown) => void): unknown;
  on(event: 'end' | 'close' | 'error', listener: () => void): unknown;
}

type UnexpectedResponseListener = (request: unknown, response: ResponseLike) => void;

/** Enough of a refusal body to read an error frame's code and message; the rest is not kept. */
const MAX_BODY_CHARS = 4096;
/** A `Retry-After` beyond this is read as this: the SDK's own backoff takes over after it. */
const MAX_RETRY_AFTER_MS = 60 * 60_000;

/**
 * Hooks the `ws` package's `unexpected-response` event, which hands over the HTTP response of a refused
 * upgrade (browsers and Node's global WebSocket expose nothing of it). Calls `refused` once with the status,
 * the body's code and message, and `Retry-After`; the caller then ends the handshake (`ws` leaves that to
 * the listener). False when the socket is not a `ws` one.
 */
export function watchRefusal(socket: object, refused: (refusal: ConnectRefusal) => void): boolean {
  const emitter = socket as {
    on?: (event: 'unexpected-response', listener: UnexpectedResponseListener) => unknown;
  };
  if (typeof emitter.on !== 'function') return false;
  emitter.on('unexpected-response', (_request, response) => {
    let body = '';
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      refused(readRefusal(response, body));
    };
    response.setEncoding?.('utf8');
    response.on('data', (chunk) => {
      if (done) return;
      body += String(chunk);
      if (body.length >= MAX_BODY_CHARS) finish();
    });
    response.on('end', finish);
    response.on('close', finish);
    response.on('error', finish);
  });
  return true;
}

/** The refusal a response says: its status, the error frame in its body if any, and `Retry-After`. */
export function readRefusal(response: ResponseLike, body: string): ConnectRefusal {
  const status = response.statusCode ?? 0;
  const refusal: ConnectRefusal = {
    status,
    serverMessage: response.statusMessage || `HTTP ${status}`,
  };
  const parsed = parseBody(body);
  if (parsed.message !== undefined) refusal.serverMessage = parsed.message;
  if (parsed.code !== undefined) refusal.serverCode = parsed.code;
  const retryAfter = retryAfterMs(response.headers['retry-after']);
  if (retryAfter !== undefined) refusal.retryAfterMs = retryAfter;
  return refusal;
}

/** `{"type":"error","code":...,"message":...}` (topicsocket) or `{"message":...}` (API Gateway's own). */
function parseBody(body: string): { code?: ErrorCode; message?: string } {
  try {
    const value = JSON.parse(body) as { code?: unknown; message?: unknown } | null;
    const out: { code?: ErrorCode; message?: string } = {};
    if (typeof value?.message === 'string' && value.message !== '') out.message = value.message.slice(0, 500);
    if (typeof value?.code === 'string' && value.code in ErrorCodes) out.code = value.code as ErrorCode;
    return out;
  } catch {
    return {};
  }
}

/** `Retry-After: <seconds>` or `Retry-After: <HTTP date>` (RFC 9110 §10.2.3), in milliseconds from now. */
function retryAfterMs(header: string | string[] | undefined): number | undefined {
  const value = (Array.isArray(header) ? header[0] : header)?.trim();
  if (!value) return undefined;
  const ms = /^\d+$/.test(value) ? Number(value) * 1000 : Date.parse(value) - Date.now();
  if (!Number.isFinite(ms)) return undefined;
  return Math.min(Math.max(0, ms), MAX_RETRY_AFTER_MS);
}
