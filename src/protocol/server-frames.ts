/**
 * Reading server -> client frames, for the client SDK. Hand-written guards, not the zod schemas of
 * schema.ts: the client package has no dependencies (a browser bundle of a few KB), and these checks are a
 * few `typeof`s. They are declared per frame as a table of fields, and `fieldsOf<T>()` proves at compile
 * time that each table reads exactly the frame type of frames.ts (type-equality.ts), so the two cannot drift.
 *
 * Forward compatibility (docs/protocol.md): fields a frame does not declare are ignored, a frame of a type
 * this client does not know is reported as `unknown_type` (to be ignored), and the enum-like strings
 * (`code`, `reason`, `reset`) are taken as sent, so a newer server may add values.
 */
import type { DisconnectReason, ErrorCode } from './codes.ts';
import type {
  EpochReset,
  FrameId,
  HistoryFrame,
  JsonValue,
  PresenceMemberInfo,
  ServerFrame,
  TopicRecovery,
} from './frames.ts';
import type { Equal, Mismatch } from './type-equality.ts';

export type Guard<T> = (value: unknown) => value is T;
/** A field the frame may leave out. */
interface Optional<T> {
  optional: Guard<T>;
}
type Field = Guard<unknown> | Optional<unknown>;
type Fields = Record<string, Field>;

type Read<F> = F extends Optional<infer T> ? T : F extends Guard<infer T> ? T : never;
type Simplify<T> = { [K in keyof T]: T[K] };
/** The frame type a table of fields reads. */
type Shape<Type extends string, F extends Fields> = Simplify<
  { type: Type } & { [K in keyof F as F[K] extends Optional<unknown> ? never : K]: Read<F[K]> } & {
    [K in keyof F as F[K] extends Optional<unknown> ? K : never]?: Read<F[K]>;
  }
>;

/** `fieldsOf<T>()(fields)` returns `fields`, and compiles only when they read exactly `T`. */
export function fieldsOf<T extends { type: string }>() {
  return <F extends Fields>(
    fields: F & (Equal<T, Shape<T['type'], F>> extends true ? unknown : Mismatch<T, Shape<T['type'], F>>),
  ): F => fields;
}

export const optional = <T>(guard: Guard<T>): Optional<T> => ({ optional: guard });
export const isString = (value: unknown): value is string => typeof value === 'string';
export const isNumber = (value: unknown): value is number => typeof value === 'number';
const isBoolean = (value: unknown): value is boolean => typeof value === 'boolean';
const isId = (value: unknown): value is FrameId => isString(value) || isNumber(value);
// JSON.parse yields only JSON values: present is enough.
const isJson = (value: unknown): value is JsonValue => value !== undefined;
const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
// Enum-like strings are taken as sent (see the top of this file).
const isErrorCode = isString as Guard<ErrorCode>;
const isDisconnectReason = isString as Guard<DisconnectReason>;
const isEpochReset = isString as Guard<EpochReset>;
const isHistoryMessages = (value: unknown): value is HistoryFrame['messages'] =>
  Array.isArray(value) &&
  value.every((message) => isObject(message) && isNumber(message.offset) && isJson(message.data));

const isMember = (value: unknown): value is PresenceMemberInfo =>
  isObject(value) && isString(value.connectionId) && (value.claims === undefined || isObject(value.claims));
const isMembers = (value: unknown): value is PresenceMemberInfo[] =>
  Array.isArray(value) && value.every(isMember);
const isRecoveries = (value: unknown): value is { [topic: string]: TopicRecovery } =>
  isObject(value) &&
  Object.values(value).every(
    (entry) =>
      isObject(entry) && isString(entry.epoch) && isNumber(entry.offset) && isBoolean(entry.recovered),
  );

type FrameOf<K extends ServerFrame['type']> = Extract<ServerFrame, { type: K }>;

/** Every server frame's fields but `type`; a missing or an extra frame type does not compile. */
const serverFrameFields: { [K in ServerFrame['type']]: Fields } = {
  result: fieldsOf<FrameOf<'result'>>()({ id: isId, result: isJson }),
  direct: fieldsOf<FrameOf<'direct'>>()({ data: isJson }),
  message: fieldsOf<FrameOf<'message'>>()({
    topic: isString,
    data: isJson,
    offset: optional(isNumber),
    epoch: optional(isString),
  }),
  subscribed: fieldsOf<FrameOf<'subscribed'>>()({
    topic: isString,
    id: optional(isId),
    recovered: optional(isBoolean),
    reset: optional(isEpochReset),
    epoch: optional(isString),
    offset: optional(isNumber),
    positions: optional(isRecoveries),
  }),
  unsubscribed: fieldsOf<FrameOf<'unsubscribed'>>()({ topic: isString, id: optional(isId) }),
  published: fieldsOf<FrameOf<'published'>>()({
    topic: isString,
    id: optional(isId),
    offset: optional(isNumber),
    epoch: optional(isString),
    duplicate: optional(isBoolean),
    scheduled: optional(isBoolean),
    undelivered: optional(isNumber),
  }),
  history: fieldsOf<FrameOf<'history'>>()({
    topic: isString,
    epoch: isString,
    offset: isNumber,
    messages: isHistoryMessages,
    id: optional(isId),
  }),
  presence: fieldsOf<FrameOf<'presence'>>()({
    topic: isString,
    members: isMembers,
    next: optional(isString),
    id: optional(isId),
  }),
  join: fieldsOf<FrameOf<'join'>>()({ topic: isString, member: isMember }),
  leave: fieldsOf<FrameOf<'leave'>>()({ topic: isString, connectionId: isString }),
  presence_resync: fieldsOf<FrameOf<'presence_resync'>>()({ topic: isString }),
  pong: fieldsOf<FrameOf<'pong'>>()({ id: optional(isId) }),
  error: fieldsOf<FrameOf<'error'>>()({
    code: isErrorCode,
    message: isString,
    retryable: isBoolean,
    id: optional(isId),
  }),
  disconnect: fieldsOf<FrameOf<'disconnect'>>()({
    reason: isDisconnectReason,
    message: isString,
    reconnect: isBoolean,
  }),
};

export type ServerFrameReading =
  | { kind: 'frame'; frame: ServerFrame }
  /** A JSON object with a string `type` this client does not know: a newer server's frame, to be ignored. */
  | { kind: 'unknown_type'; type: string }
  /** Not text, not JSON, not an object with a string `type`, or a known frame with a missing or mistyped field. */
  | { kind: 'invalid' };

const INVALID: ServerFrameReading = { kind: 'invalid' };

/** Reads one WebSocket message from the server. Never throws. */
export function parseServerFrame(data: unknown): ServerFrameReading {
  const value = parseJson(data);
  if (!isObject(value) || !isString(value.type)) return INVALID;
  const type = value.type;
  if (!Object.hasOwn(serverFrameFields, type)) return { kind: 'unknown_type', type };
  const fields = serverFrameFields[type as ServerFrame['type']];
  for (const name in fields) {
    const field = fields[name] as Field;
    const item = value[name];
    const ok = typeof field === 'function' ? field(item) : item === undefined || field.optional(item);
    if (!ok) return INVALID;
  }
  return { kind: 'frame', frame: value as unknown as ServerFrame };
}

/** The `message` of API Gateway's own error frame (`{"message":"Internal server error",...}`), if `data` is one. */
export function readGatewayError(data: unknown): string | undefined {
  const value = parseJson(data);
  return isObject(value) && !value.type && isString(value.message) ? value.message : undefined;
}

function parseJson(data: unknown): unknown {
  if (!isString(data)) return undefined;
  try {
    return JSON.parse(data);
  } catch {
    return undefined;
  }
}
