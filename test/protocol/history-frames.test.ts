import { describe, expect, it } from 'vitest';
import { parseClientFrame } from '../../src/protocol/index.ts';

const parse = (frame: unknown) => parseClientFrame(JSON.stringify(frame));

describe('history frames', () => {
  it('accepts subscribe with since, history with a limit, publish with an idempotency key', () => {
    expect(parse({ type: 'subscribe', topic: 't', since: { epoch: 'abc', offset: 41 }, id: 1 })).toEqual({
      ok: true,
      frame: { type: 'subscribe', topic: 't', since: { epoch: 'abc', offset: 41 }, id: 1 },
    });
    expect(parse({ type: 'history', topic: 't', limit: 10, id: 2 })).toEqual({
      ok: true,
      frame: { type: 'history', topic: 't', limit: 10, id: 2 },
    });
    expect(parse({ type: 'publish', topic: 't', data: 1, idempotencyKey: 'k-1' })).toEqual({
      ok: true,
      frame: { type: 'publish', topic: 't', data: 1, idempotencyKey: 'k-1' },
    });
  });

  it('refuses malformed positions, limits and keys with bad_frame', () => {
    for (const frame of [
      { type: 'subscribe', topic: 't', since: { epoch: 'abc' } },
      { type: 'subscribe', topic: 't', since: { epoch: 'abc', offset: -1 } },
      { type: 'subscribe', topic: 't', since: { epoch: 'abc', offset: 1.5 } },
      { type: 'subscribe', topic: 't', since: { epoch: 'x'.repeat(65), offset: 1 } },
      { type: 'history', topic: 't', limit: 0 },
      { type: 'publish', topic: 't', data: 1, idempotencyKey: '' },
      { type: 'publish', topic: 't', data: 1, idempotencyKey: 'k'.repeat(129) },
    ]) {
      expect(parse(frame)).toMatchObject({ ok: false, code: 'bad_frame' });
    }
    expect(parse({ type: 'history', topic: 'has space' })).toMatchObject({
      ok: false,
      code: 'invalid_topic',
    });
  });
});
