/**
 * The validator: turns one text frame from a client into a ClientFrame, or into the error to answer with.
 * It never throws, whatever the input.
 */
import type { ErrorCode } from './codes.ts';
import type { ClientFrame, FrameId, SubscribeFrame } from './frames.ts';
import { exceedsJsonDepth, hasLoneSurrogate } from './json-checks.ts';
import { ApiGatewayLimits, InputLimits } from './limits.ts';
import { isPattern, subscriptionMatches, subscriptionProblem } from './pattern.ts';
import { type ClientFrameType, clientFrameSchemas, schemaMessages } from './schema.ts';
import { topicProblem } from './topic.ts';

export type ParseResult =
  | { ok: true; frame: ClientFrame }
  | { ok: false; code: ErrorCode; message: string; id?: FrameId };

export interface ParseOptions {
  maxMessageBytes?: number;
}

export function parseClientFrame(text: string, options: ParseOptions = {}): ParseResult {
  const maxBytes = options.maxMessageBytes ?? ApiGatewayLimits.maxMessageBytes;
  // A UTF-8 string is at most 3 bytes per UTF-16 unit, so short frames skip the exact count.
  if (text.length * 3 > maxBytes && utf8Length(text) > maxBytes) {
    return fail('payload_too_large', `frame is larger than ${maxBytes} bytes`);
  }

  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return fail('bad_json', 'frame is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail('bad_frame', 'frame must be a JSON object');
  }

  const record = value as Record<string, unknown>;
  const id = readId(record.id);
  if (exceedsJsonDepth(value)) {
    return fail('bad_frame', `frame nests deeper than ${InputLimits.maxJsonDepth} levels`, id);
  }
  const type = record.type;
  if (typeof type !== 'string' || !Object.hasOwn(clientFrameSchemas, type)) {
    const shown = typeof type === 'string' ? JSON.stringify(type.slice(0, 32)) : 'missing';
    return fail('unknown_type', `unknown frame type (${shown})`, id);
  }

  const parsed = clientFrameSchemas[type as ClientFrameType].safeParse(value, { error: schemaMessages });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? issue.path.join('.') : 'frame';
    return fail('bad_frame', `${type}: ${where} ${issue?.message ?? 'is invalid'}`, id);
  }

  const frame = parsed.data;
  if (
    frame.type === 'publish' &&
    frame.idempotencyKey !== undefined &&
    hasLoneSurrogate(frame.idempotencyKey)
  ) {
    return fail('bad_frame', 'publish: idempotencyKey must be well-formed Unicode (no lone surrogates)', id);
  }
  if (frame.type === 'subscribe' || frame.type === 'unsubscribe') {
    const problem = subscriptionProblem(frame.topic);
    if (problem) return fail('invalid_topic', problem, id);
    const refused = frame.type === 'subscribe' ? subscribeOptionsProblem(frame) : undefined;
    if (refused) return fail('bad_frame', `subscribe: ${refused}`, id);
  } else if ('topic' in frame) {
    // Patterns are for subscriptions only: a message, its history and its members belong to one topic.
    const problem = topicProblem(frame.topic);
    if (problem) return fail('invalid_topic', problem, id);
  }

  if (frame.type === 'message') {
    // Seed compatibility: the article's `{type:"message", topic, message}` is a publish of `message`.
    const publish: ClientFrame = { type: 'publish', topic: frame.topic, data: frame.message };
    if (frame.id !== undefined) publish.id = frame.id;
    return { ok: true, frame: publish };
  }
  return { ok: true, frame };
}

/** What a subscribe's options say that its topic (or pattern) cannot take. */
function subscribeOptionsProblem(frame: SubscribeFrame): string | undefined {
  const pattern = isPattern(frame.topic);
  if (pattern && frame.since) return 'since needs a topic; a pattern recovers its topics with positions';
  if (pattern && frame.presence) return 'presence needs a topic, not a pattern';
  if (!frame.positions) return undefined;
  if (!pattern) return 'positions needs a pattern; a topic recovers with since';
  const topics = Object.keys(frame.positions);
  if (topics.length > InputLimits.maxPatternPositions) {
    return `positions may name at most ${InputLimits.maxPatternPositions} topics`;
  }
  for (const topic of topics) {
    if (topicProblem(topic) !== undefined || !subscriptionMatches(frame.topic, topic)) {
      return `positions: ${JSON.stringify(topic.slice(0, 64))} is not a topic under ${frame.topic}`;
    }
  }
  return undefined;
}

function fail(code: ErrorCode, message: string, id?: FrameId): ParseResult {
  return id === undefined ? { ok: false, code, message } : { ok: false, code, message, id };
}

function readId(value: unknown): FrameId | undefined {
  if (typeof value === 'string' && value.length <= 128) return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  return undefined;
}

/** UTF-8 byte length without allocating a buffer. */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}
