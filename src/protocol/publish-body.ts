/**
 * The body of `POST /publish` (docs/security.md, "Server-side publish API"): one message
 * `{topic, data, idempotencyKey?}`, or a batch `{messages: [...]}`. Its types, its schema (proven equal to
 * them, as the frames' are) and the parser the publish API uses. Topic syntax, permissions and message size
 * are checked afterwards, per message, by the publish API and the broker (they have their own codes).
 */
import * as z from 'zod/mini';
import type { JsonValue } from './frames.ts';
import { hasLoneSurrogate } from './json-checks.ts';
import { InputLimits } from './limits.ts';
import { jsonValue, schemaMessages, schemaOf } from './schema.ts';

/** One message to publish. */
export interface PublishRequestMessage {
  topic: string;
  data: JsonValue;
  /** A retried request with the same key (per caller and topic) is answered again, not published twice. */
  idempotencyKey?: string;
}

/** Several messages, published in order, all checked before the first is published. */
export interface PublishRequestBatch {
  messages: PublishRequestMessage[];
}

export type PublishRequestBody = PublishRequestMessage | PublishRequestBatch;

const idempotencyKey = z.string().check(
  z.minLength(1),
  z.maxLength(InputLimits.maxHttpIdempotencyKeyLength),
  z.refine((key) => !hasLoneSurrogate(key), 'must be well-formed Unicode (no lone surrogates)'),
);

export const publishMessageSchema = schemaOf<PublishRequestMessage>()(
  z.object({ topic: z.string(), data: jsonValue, idempotencyKey: z.optional(idempotencyKey) }),
);

export const publishBatchSchema = schemaOf<PublishRequestBatch>()(
  z.object({ messages: z.array(publishMessageSchema).check(z.minLength(1)) }),
);

export type PublishBodyResult =
  | { ok: true; single: boolean; messages: PublishRequestMessage[] }
  | { ok: false; code: 'bad_json' | 'bad_frame'; message: string };

/** Reads a `POST /publish` body; never throws. `maxBatch`: most messages a batch may hold. */
export function parsePublishBody(text: string, options: { maxBatch: number }): PublishBodyResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, code: 'bad_json', message: 'the body is not JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return refuse('the body must be a JSON object');
  }
  // A body with `messages` is a batch: counted before any message is read, so an oversized batch costs
  // nothing more to refuse.
  const single = !('messages' in value);
  const list = (value as { messages?: unknown }).messages;
  if (Array.isArray(list) && list.length > options.maxBatch) {
    return refuse(`at most ${options.maxBatch} messages per batch`);
  }
  const parsed = (single ? publishMessageSchema : publishBatchSchema).safeParse(value, {
    error: schemaMessages,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? pathText(issue.path) : 'the body';
    return refuse(`${where}: ${issue?.message ?? 'is invalid'}`);
  }
  const body: PublishRequestBody = parsed.data;
  return { ok: true, single, messages: 'messages' in body ? body.messages : [body] };
}

function refuse(message: string): PublishBodyResult {
  return { ok: false, code: 'bad_frame', message };
}

/** `messages[2].idempotencyKey`, as a caller writes it. */
function pathText(path: readonly PropertyKey[]): string {
  return path
    .map((key, index) => (typeof key === 'number' ? `[${key}]` : `${index > 0 ? '.' : ''}${String(key)}`))
    .join('');
}
