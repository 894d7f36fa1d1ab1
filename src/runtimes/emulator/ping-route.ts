/**
 * The deployed stacks route `{"type":"ping"}` (route selection `$request.body.type`) to a `ping` route with
 * a MOCK integration, so keepalives never invoke Lambda. This reproduces that route: it answers a ping
 * frame with a pong (echoing `id` when the frame had one) and returns undefined for anything else.
 */
export function mockPingReply(text: string): string | undefined {
  // Cheap pre-check so ordinary frames are not parsed twice; a ping frame always contains this word.
  if (!text.includes('ping')) return undefined;
  return pongReply(text);
}

/** The pong for a frame the route table already sent to the `ping` route (its `type` is `ping`). */
export function pongReply(text: string): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const frame = value as Record<string, unknown>;
  if (frame.type !== 'ping') return undefined;
  return Object.hasOwn(frame, 'id') ? `{"type":"pong","id":${JSON.stringify(frame.id)}}` : '{"type":"pong"}';
}
