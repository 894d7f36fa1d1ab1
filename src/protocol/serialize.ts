/**
 * Serialization of server -> client frames: the bytes the server puts on the wire. Frames off the hot path
 * go through `serializeFrame`; the two the server sends in bulk (`message` to every subscriber, `history`
 * with up to a page of messages) are spliced around data serialized once, never twice.
 */
import type { FrameId, HistoryFrame, JsonValue, ServerFrame, StreamPosition } from './frames.ts';
import { utf8Length } from './parse.ts';

/** Any server frame, as its JSON text. The one serializer for frames that are not `message`/`history`. */
export function serializeFrame(frame: ServerFrame): string {
  return JSON.stringify(frame);
}

/** Serializes a delivered message once per publish; every receiver gets these exact bytes. */
export function serializeMessage(topic: string, data: JsonValue, position?: StreamPosition): string {
  return messageFrameJson(topic, JSON.stringify(data), position);
}

/**
 * The bytes of a `message` frame around already-serialized data: exactly what JSON.stringify gives for
 * `{type, topic, data, offset?, epoch?}`, without serializing the data again.
 */
export function messageFrameJson(topic: string, dataJson: string, position?: StreamPosition): string {
  const head = `{"type":"message","topic":${JSON.stringify(topic)},"data":${dataJson}`;
  return position
    ? `${head},"offset":${position.offset},"epoch":${JSON.stringify(position.epoch)}}`
    : `${head}}`;
}

/**
 * The widest position a `message` frame can carry (the stores' epochs are at most 16 characters): used to
 * size-check a message before its position is known, so it is never too large once placed.
 */
export const LARGEST_POSITION: StreamPosition = { epoch: 'x'.repeat(16), offset: Number.MAX_SAFE_INTEGER };

/** What a `history` answer holds before its messages are chosen. */
export interface HistoryAnswer {
  topic: string;
  epoch: string;
  offset: number;
  id?: FrameId | undefined;
}

/**
 * A `history` frame with as many of `messages` (oldest first) as fit in `maxBytes`, the newest kept: each
 * message is serialized once and the answer assembled newest first until the next one would not fit, so
 * the cost is linear in the page however large its messages. Everything counts against `maxBytes`, the `id`
 * too. The same bytes as JSON.stringify of the frame holding the kept messages.
 */
export function serializeHistory(
  answer: HistoryAnswer,
  messages: HistoryFrame['messages'],
  maxBytes: number,
): string {
  const empty: HistoryFrame = {
    type: 'history',
    topic: answer.topic,
    epoch: answer.epoch,
    offset: answer.offset,
    messages: [],
  };
  if (answer.id !== undefined) empty.id = answer.id;
  const shell = JSON.stringify(empty);
  let size = utf8Length(shell);
  const parts: string[] = [];
  for (let i = messages.length - 1; i >= 0; i--) {
    const json = JSON.stringify(messages[i]);
    const added = utf8Length(json) + (parts.length > 0 ? 1 : 0);
    if (size + added > maxBytes) break;
    size += added;
    parts.push(json);
  }
  parts.reverse();
  // The first `"messages":[]` of the shell is its own field: only the topic and the epoch come before it,
  // as JSON strings, in which every `"` is escaped, so neither can contain it. The splice is exact.
  return shell.replace('"messages":[]', `"messages":[${parts.join(',')}]`);
}
