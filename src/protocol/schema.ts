/**
 * Runtime schemas for client frames. Each is checked against its hand-written type in frames.ts, so the
 * two cannot drift apart.
 *
 * `zod/mini`, not `zod`: the same validator with a functional, tree-shakable API, so a Lambda bundle carries
 * only the checks used here (22 KiB of it instead of 444). Its English messages come from zod's own `en`
 * locale, passed per parse (parse.ts) rather than installed globally, so importing this module changes no
 * zod configuration of the application's.
 */
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';
import type {
  FrameId,
  HistoryRequestFrame,
  JsonValue,
  PingFrame,
  PublishFrame,
  SeedMessageFrame,
  StreamPosition,
  SubscribeFrame,
  UnsubscribeFrame,
} from './frames.ts';
import { InputLimits } from './limits.ts';

const frameId: z.ZodMiniType<FrameId> = z.union([z.string().check(z.maxLength(128)), z.int()]);

// JSON.parse only ever yields JSON values, so `data` needs no deeper check than presence.
const jsonValue = z.custom<JsonValue>((value) => value !== undefined, { message: 'is required' });

// Topic syntax is checked separately (topic.ts) so it gets its own error code.
const topic = z.string();

const streamPosition: z.ZodMiniType<StreamPosition> = z.object({
  epoch: z.string().check(z.maxLength(64)),
  offset: z.int().check(z.nonnegative()),
});

export const subscribeSchema: z.ZodMiniType<SubscribeFrame> = z.object({
  type: z.literal('subscribe'),
  topic,
  since: z.optional(streamPosition),
  id: z.optional(frameId),
});

export const historySchema: z.ZodMiniType<HistoryRequestFrame> = z.object({
  type: z.literal('history'),
  topic,
  limit: z.optional(z.int().check(z.positive())),
  id: z.optional(frameId),
});

export const unsubscribeSchema: z.ZodMiniType<UnsubscribeFrame> = z.object({
  type: z.literal('unsubscribe'),
  topic,
  id: z.optional(frameId),
});

export const publishSchema: z.ZodMiniType<PublishFrame> = z.object({
  type: z.literal('publish'),
  topic,
  data: jsonValue,
  idempotencyKey: z.optional(
    z.string().check(z.minLength(1), z.maxLength(InputLimits.maxIdempotencyKeyLength)),
  ),
  id: z.optional(frameId),
});

export const pingSchema: z.ZodMiniType<PingFrame> = z.object({
  type: z.literal('ping'),
  id: z.optional(frameId),
});

export const seedMessageSchema: z.ZodMiniType<SeedMessageFrame> = z.object({
  type: z.literal('message'),
  topic,
  message: jsonValue,
  id: z.optional(frameId),
});

export const clientFrameSchemas = {
  subscribe: subscribeSchema,
  unsubscribe: unsubscribeSchema,
  publish: publishSchema,
  ping: pingSchema,
  history: historySchema,
  message: seedMessageSchema,
} as const;

export type ClientFrameType = keyof typeof clientFrameSchemas;

/** zod's English messages ("Too big: expected string to have <=128 characters"), for `safeParse`. */
export const schemaMessages = en().localeError;
