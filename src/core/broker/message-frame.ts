import type { JsonValue, StreamPosition } from '../../protocol/index.ts';

/** Serializes a delivered message once per publish; every receiver gets these exact bytes. */
export function serializeMessage(topic: string, data: JsonValue, position?: StreamPosition): string {
  return messageFrame(topic, JSON.stringify(data), position);
}

/**
 * The bytes of a `message` frame around already-serialized data: exactly what JSON.stringify gives for
 * `{type, topic, data, offset?, epoch?}`, without serializing the data again.
 */
export function messageFrame(topic: string, dataJson: string, position?: StreamPosition): string {
  const head = `{"type":"message","topic":${JSON.stringify(topic)},"data":${dataJson}`;
  return position
    ? `${head},"offset":${position.offset},"epoch":${JSON.stringify(position.epoch)}}`
    : `${head}}`;
}

/** The widest position a frame can carry: used to size-check a message before its position is known. */
export const LARGEST_POSITION: StreamPosition = { epoch: 'x'.repeat(16), offset: Number.MAX_SAFE_INTEGER };
