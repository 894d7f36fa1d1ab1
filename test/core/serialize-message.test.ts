import { describe, expect, it } from 'vitest';
import { serializeMessage } from '../../src/core/index.ts';

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
    }
  });
});
