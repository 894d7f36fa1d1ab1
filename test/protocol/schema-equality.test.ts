/**
 * A frame's type and its runtime schema cannot drift apart: `schemaOf<T>()` refuses, at compile time, a
 * schema that parses to anything but exactly `T`. The `@ts-expect-error` lines below are the proof that
 * the failure mode is caught: `npm run check` (tsc over test/) fails if any of them stops being an error.
 * The runtime half shows that every field of every client frame survives a parse (nothing is stripped).
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import * as z from 'zod/mini';
import type { ClientFrame } from '../../src/protocol/frames.ts';
import { clientFrameSchemas, schemaOf } from '../../src/protocol/schema.ts';
import type { Equal } from '../../src/protocol/type-equality.ts';

interface Declared {
  type: 'x';
  topic: string;
  note?: string;
}

describe('schemaOf (compile time)', () => {
  it('accepts a schema that parses to exactly the declared type', () => {
    const schema = schemaOf<Declared>()(
      z.object({ type: z.literal('x'), topic: z.string(), note: z.optional(z.string()) }),
    );
    expectTypeOf<z.output<typeof schema>>().toEqualTypeOf<Declared>();
  });

  it('refuses an optional field that the type has and the schema lacks (zod would strip it)', () => {
    // @ts-expect-error: `note` is declared but not in the schema
    schemaOf<Declared>()(z.object({ type: z.literal('x'), topic: z.string() }));
  });

  it('refuses an optional field that the schema has and the type lacks', () => {
    schemaOf<Declared>()(
      // @ts-expect-error: `extra` is in the schema but not declared
      z.object({
        type: z.literal('x'),
        topic: z.string(),
        note: z.optional(z.string()),
        extra: z.optional(z.number()),
      }),
    );
  });

  it('refuses a field that is optional on one side and required on the other', () => {
    // @ts-expect-error: `note` is optional in the type, required in the schema
    schemaOf<Declared>()(z.object({ type: z.literal('x'), topic: z.string(), note: z.string() }));
  });

  it('refuses a field whose type differs', () => {
    // @ts-expect-error: `note` is a string in the type, a number in the schema
    schemaOf<Declared>()(z.object({ type: z.literal('x'), topic: z.string(), note: z.optional(z.number()) }));
  });

  it('Equal tells an added optional field apart, which mutual assignability does not', () => {
    type Wider = Declared & { added?: boolean };
    expectTypeOf<Equal<Declared, Declared>>().toEqualTypeOf<true>();
    expectTypeOf<
      Equal<Declared, { type: 'x'; topic: string; note?: string; added?: boolean }>
    >().toEqualTypeOf<false>();
    // Both ways assignable, yet not the same frame: the drift the old `ZodMiniType<T>` annotation let through.
    expectTypeOf<Declared>().toExtend<Wider>();
    expectTypeOf<Wider>().toExtend<Declared>();
  });
});

describe('client frame schemas (runtime)', () => {
  it('keep every field of every client frame, optional ones included', () => {
    const full: ClientFrame[] = [
      { type: 'subscribe', topic: 't', since: { epoch: 'e', offset: 3 }, id: 'a' },
      { type: 'unsubscribe', topic: 't', id: 1 },
      { type: 'publish', topic: 't', data: { x: [1] }, idempotencyKey: 'k', id: 'b' },
      { type: 'ping', id: 2 },
      { type: 'history', topic: 't', limit: 5, id: 'c' },
    ];
    for (const frame of full) {
      expect(clientFrameSchemas[frame.type].safeParse(frame)).toEqual({ success: true, data: frame });
    }
    const seed = { type: 'message', topic: 't', message: 'hi', id: 'd' } as const;
    expect(clientFrameSchemas.message.safeParse(seed)).toEqual({ success: true, data: seed });
  });
});
