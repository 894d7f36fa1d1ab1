/**
 * Runtime schemas for client frames. Each is built through `schemaOf<T>()`, which makes it a compile error
 * for the schema's output to differ in any way from the hand-written type in frames.ts (an optional field
 * on one side only included: zod's objects strip unknown keys, so such a field would otherwise compile and
 * be dropped silently at runtime). test/protocol/schema-equality.test.ts shows the mismatches it refuses.
 *
 * `zod/mini`, not `zod`: the same validator with a functional, tree-shakable API, so a Lambda bundle carries
 * only the checks used here (22 KiB of it instead of 444). Its English messages come from zod's own `en`
 * locale, passed per parse (parse.ts) rather than installed globally, so importing this module changes no
 * zod configuration of the application's.
 */
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';
import type {
  ClientFrame,
  FrameId,
  HistoryRequestFrame,
  JsonValue,
  PingFrame,
  PresenceRequestFrame,
  PublishFrame,
  RpcFrame,
  SeedMessageFrame,
  StreamPosition,
  SubscribeFrame,
  UnsubscribeFrame,
} from './frames.ts';
import { InputLimits } from './limits.ts';
import type { Equal, Mismatch } from './type-equality.ts';

/**
 * `schemaOf<T>()(schema)` returns `schema` unchanged, and refuses to compile unless what it parses to is
 * exactly `T` (type-equality.ts). The curried form lets `T` be given while the schema's type is inferred.
 */
export function schemaOf<T>() {
  return <S extends z.ZodMiniType<T>>(
    schema: S & (Equal<T, z.output<S>> extends true ? unknown : Mismatch<T, z.output<S>>),
  ): S => schema;
}

const frameId = schemaOf<FrameId>()(z.union([z.string().check(z.maxLength(128)), z.int()]));

// JSON.parse only ever yields JSON values, so `data` needs no deeper check than presence.
export const jsonValue = z.custom<JsonValue>((value) => value !== undefined, { message: 'is required' });

// Topic syntax is checked separately (topic.ts) so it gets its own error code.
const topic = z.string();

const streamPosition = schemaOf<StreamPosition>()(
  z.object({
    epoch: z.string().check(z.maxLength(64)),
    offset: z.int().check(z.nonnegative()),
  }),
);

export const subscribeSchema = schemaOf<SubscribeFrame>()(
  z.object({
    type: z.literal('subscribe'),
    topic,
    since: z.optional(streamPosition),
    // Its keys (topics under the pattern) and size are checked in parse.ts, with their own messages.
    positions: z.optional(z.record(z.string(), streamPosition)),
    presence: z.optional(z.boolean()),
    id: z.optional(frameId),
  }),
);

export const presenceSchema = schemaOf<PresenceRequestFrame>()(
  z.object({
    type: z.literal('presence'),
    topic,
    after: z.optional(z.string().check(z.maxLength(256))),
    limit: z.optional(z.int().check(z.positive())),
    id: z.optional(frameId),
  }),
);

export const historySchema = schemaOf<HistoryRequestFrame>()(
  z.object({
    type: z.literal('history'),
    topic,
    limit: z.optional(z.int().check(z.positive())),
    id: z.optional(frameId),
  }),
);

export const unsubscribeSchema = schemaOf<UnsubscribeFrame>()(
  z.object({
    type: z.literal('unsubscribe'),
    topic,
    id: z.optional(frameId),
  }),
);

export const publishSchema = schemaOf<PublishFrame>()(
  z.object({
    type: z.literal('publish'),
    topic,
    data: jsonValue,
    idempotencyKey: z.optional(
      z.string().check(z.minLength(1), z.maxLength(InputLimits.maxIdempotencyKeyLength)),
    ),
    id: z.optional(frameId),
  }),
);

export const pingSchema = schemaOf<PingFrame>()(
  z.object({
    type: z.literal('ping'),
    id: z.optional(frameId),
  }),
);

export const seedMessageSchema = schemaOf<SeedMessageFrame>()(
  z.object({
    type: z.literal('message'),
    topic,
    message: jsonValue,
    id: z.optional(frameId),
  }),
);

export const rpcSchema = schemaOf<RpcFrame>()(
  z.object({
    type: z.literal('rpc'),
    method: z.string().check(z.minLength(1), z.maxLength(InputLimits.maxRpcMethodLength)),
    params: z.optional(jsonValue),
    id: frameId,
  }),
);

export const clientFrameSchemas = {
  rpc: rpcSchema,
  subscribe: subscribeSchema,
  unsubscribe: unsubscribeSchema,
  publish: publishSchema,
  ping: pingSchema,
  history: historySchema,
  presence: presenceSchema,
  message: seedMessageSchema,
  // Exactly one schema per client frame type (a missing or an extra key does not compile), each for its type.
} as const satisfies {
  [K in ClientFrameType]: z.ZodMiniType<Extract<ClientFrame | SeedMessageFrame, { type: K }>>;
};

/** What a client may send on the wire: every v1 client frame, and the seed's `message`. */
export type ClientFrameType = ClientFrame['type'] | SeedMessageFrame['type'];

/** zod's English messages ("Too big: expected string to have <=128 characters"), for `safeParse`. */
export const schemaMessages = en().localeError;
