/**
 * Runtime schemas for client frames. Each is checked against its hand-written type in frames.ts, so the
 * two cannot drift apart.
 */
import { z } from 'zod';
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

const frameId: z.ZodType<FrameId> = z.union([z.string().max(128), z.number().int().safe()]);

// JSON.parse only ever yields JSON values, so `data` needs no deeper check than presence.
const jsonValue = z.custom<JsonValue>((value) => value !== undefined, { message: 'is required' });

// Topic syntax is checked separately (topic.ts) so it gets its own error code.
const topic = z.string();

const streamPosition: z.ZodType<StreamPosition> = z.object({
  epoch: z.string().max(64),
  offset: z.number().int().nonnegative().safe(),
});

export const subscribeSchema: z.ZodType<SubscribeFrame> = z.object({
  type: z.literal('subscribe'),
  topic,
  since: streamPosition.optional(),
  id: frameId.optional(),
});

export const historySchema: z.ZodType<HistoryRequestFrame> = z.object({
  type: z.literal('history'),
  topic,
  limit: z.number().int().positive().safe().optional(),
  id: frameId.optional(),
});

export const unsubscribeSchema: z.ZodType<UnsubscribeFrame> = z.object({
  type: z.literal('unsubscribe'),
  topic,
  id: frameId.optional(),
});

export const publishSchema: z.ZodType<PublishFrame> = z.object({
  type: z.literal('publish'),
  topic,
  data: jsonValue,
  idempotencyKey: z.string().min(1).max(InputLimits.maxIdempotencyKeyLength).optional(),
  id: frameId.optional(),
});

export const pingSchema: z.ZodType<PingFrame> = z.object({
  type: z.literal('ping'),
  id: frameId.optional(),
});

export const seedMessageSchema: z.ZodType<SeedMessageFrame> = z.object({
  type: z.literal('message'),
  topic,
  message: jsonValue,
  id: frameId.optional(),
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
