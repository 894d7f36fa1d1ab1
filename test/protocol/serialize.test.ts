import { describe, expect, it } from 'vitest';
import {
  LARGEST_POSITION,
  messageFrameJson,
  serializeFrame,
  serializeHistory,
  serializeMessage,
  utf8Length,
} from '../../src/protocol/index.ts';

describe('serializeMessage', () => {
  it('gives exactly what JSON.stringify gives for the frame object, with and without a position', () => {
    const cases: Array<[string, unknown]> = [
      ['t', null],
      ['a/b:c@d', { nested: ['x', 1.5, true, null], 'quote"key': 'line\nbreak \u2028 ✓ 😀' }],
      ['ünï/cödé', ''],
    ];
    for (const [topic, data] of cases) {
      expect(serializeMessage(topic, data as never)).toBe(JSON.stringify({ type: 'message', topic, data }));
      const position = { epoch: 'e"1', offset: 9007199254740991 };
      expect(serializeMessage(topic, data as never, position)).toBe(
        JSON.stringify({ type: 'message', topic, data, offset: position.offset, epoch: position.epoch }),
      );
      expect(messageFrameJson(topic, JSON.stringify(data), position)).toBe(
        serializeMessage(topic, data as never, position),
      );
    }
  });

  it('sizes with LARGEST_POSITION no smaller than any real position of a 16-character epoch', () => {
    const real = serializeMessage('t', 1, { epoch: 'z'.repeat(16), offset: 123 });
    expect(utf8Length(messageFrameJson('t', '1', LARGEST_POSITION))).toBeGreaterThanOrEqual(utf8Length(real));
  });
});

describe('serializeHistory', () => {
  const messages = [1, 2, 3, 4].map((offset) => ({
    offset,
    data: { text: `m"${offset}`.repeat(offset * 5) },
  }));
  const frame = (kept: typeof messages, id?: string | number) => ({
    type: 'history',
    topic: 't/"q"',
    epoch: 'e',
    offset: 4,
    messages: kept,
    ...(id === undefined ? {} : { id }),
  });

  it('is JSON.stringify of the frame when everything fits, with and without an id', () => {
    const answer = { topic: 't/"q"', epoch: 'e', offset: 4 };
    expect(serializeHistory(answer, messages, 1_000_000)).toBe(JSON.stringify(frame(messages)));
    expect(serializeHistory({ ...answer, id: 'x"messages":[]' }, messages, 1_000_000)).toBe(
      JSON.stringify(frame(messages, 'x"messages":[]')),
    );
  });

  it('keeps the newest messages that fit, oldest first, never over the budget (id included)', () => {
    const answer = { topic: 't/"q"', epoch: 'e', offset: 4, id: 7 };
    const budget = utf8Length(JSON.stringify(frame(messages.slice(2), 7)));
    const text = serializeHistory(answer, messages, budget);
    expect(text).toBe(JSON.stringify(frame(messages.slice(2), 7)));
    expect(utf8Length(serializeHistory(answer, messages, budget - 1))).toBeLessThan(budget);
    expect(JSON.parse(serializeHistory(answer, messages, 10))).toEqual(frame([], 7));
  });
});

describe('serializeFrame', () => {
  it('is the JSON text of any server frame', () => {
    const frame = { type: 'error', code: 'forbidden', message: 'no', retryable: false, id: 1 } as const;
    expect(serializeFrame(frame)).toBe(JSON.stringify(frame));
  });
});
