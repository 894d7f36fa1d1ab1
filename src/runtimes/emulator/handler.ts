import type { WebSocketEvent, WebSocketResult } from '../../core/events.ts';

/**
 * What the emulator drives: anything shaped like the Lambda function behind an API Gateway WebSocket API,
 * the Broker itself or the real Lambda handler.
 */
export type WebSocketHandler = (event: WebSocketEvent) => Promise<WebSocketResult | undefined>;

/**
 * The handler's answer as API Gateway reads a Lambda proxy result: an object's statusCode, body and headers;
 * a bare string is a body; nothing at all counts as 200.
 */
export function normalizeResult(value: unknown): WebSocketResult {
  if (value === undefined || value === null) return { statusCode: 200 };
  if (typeof value === 'string') return { statusCode: 200, body: value };
  if (typeof value !== 'object') return { statusCode: 200, body: JSON.stringify(value) };
  const record = value as Record<string, unknown>;
  const result: WebSocketResult = {
    statusCode: typeof record.statusCode === 'number' ? record.statusCode : 200,
  };
  if (typeof record.body === 'string') result.body = record.body;
  if (record.headers && typeof record.headers === 'object') {
    const headers: Record<string, string> = {};
    for (const [name, headerValue] of Object.entries(record.headers)) {
      if (headerValue !== undefined && headerValue !== null) headers[name] = String(headerValue);
    }
    result.headers = headers;
  }
  return result;
}

export type Invocation =
  | { outcome: 'ok'; result: WebSocketResult }
  | { outcome: 'error'; error: unknown }
  | { outcome: 'timeout' };

/** Calls the handler as API Gateway calls an integration: errors are caught, and a slow one times out. */
export async function invoke(
  handler: WebSocketHandler,
  event: WebSocketEvent,
  timeoutMs: number,
): Promise<Invocation> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Invocation>((resolve) => {
    timer = setTimeout(() => resolve({ outcome: 'timeout' }), timeoutMs);
  });
  const call = (async (): Promise<Invocation> => {
    try {
      return { outcome: 'ok', result: normalizeResult(await handler(event)) };
    } catch (error) {
      return { outcome: 'error', error };
    }
  })();
  try {
    return await Promise.race([call, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export function isSuccess(statusCode: number): boolean {
  return statusCode >= 200 && statusCode < 300;
}
