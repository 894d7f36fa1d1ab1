import { type ErrorCode, isRetryable } from './codes.ts';
import type { ErrorFrame, FrameId } from './frames.ts';

/** A protocol-level failure: carries the code the client will see. Thrown by the core, never by transports. */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function errorFrame(code: ErrorCode, message: string, id?: FrameId): ErrorFrame {
  const frame: ErrorFrame = { type: 'error', code, message, retryable: isRetryable(code) };
  if (id !== undefined) frame.id = id;
  return frame;
}
