import { type ErrorCode, errorFrame, type FrameId, type ServerFrame } from '../../protocol/index.ts';
import type { WebSocketResult } from '../events.ts';

/** A route's answer with no body: nothing goes back to the client. */
export const OK: WebSocketResult = { statusCode: 200 };

/** A frame back to the caller, as the route's result body (API Gateway returns it: no extra post). */
export function reply(frame: ServerFrame): WebSocketResult {
  return { statusCode: 200, body: JSON.stringify(frame) };
}

export function fail(code: ErrorCode, message: string, id?: FrameId): WebSocketResult {
  return reply(errorFrame(code, message, id));
}

/** Acks are sent only when the client asked for one by giving an `id`: fire-and-forget frames cost nothing more. */
export function ack(frame: ServerFrame, id: FrameId | undefined): WebSocketResult {
  return id === undefined ? OK : reply(withId(frame, id));
}

export function withId<F extends ServerFrame>(frame: F, id: FrameId | undefined): F {
  return id === undefined ? frame : { ...frame, id };
}

/** An error for the logs: its name and message, without the stack. */
export function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
