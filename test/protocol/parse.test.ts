import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ErrorCodes, parseClientFrame, topicProblem, utf8Length } from '../../src/protocol/index.ts';

describe('parseClientFrame', () => {
  it('parses every v1 client frame', () => {
    expect(parseClientFrame('{"type":"subscribe","topic":"a/b","id":"1"}')).toEqual({
      ok: true,
      frame: { type: 'subscribe', topic: 'a/b', id: '1' },
    });
    expect(parseClientFrame('{"type":"unsubscribe","topic":"a"}')).toEqual({
      ok: true,
      frame: { type: 'unsubscribe', topic: 'a' },
    });
    expect(parseClientFrame('{"type":"publish","topic":"a","data":null,"id":2}')).toEqual({
      ok: true,
      frame: { type: 'publish', topic: 'a', data: null, id: 2 },
    });
    expect(parseClientFrame('{"type":"ping"}')).toEqual({ ok: true, frame: { type: 'ping' } });
  });

  it('reads the seed article publish frame as a publish of its message', () => {
    expect(parseClientFrame('{"type":"message","message":"count is 0","topic":"general"}')).toEqual({
      ok: true,
      frame: { type: 'publish', topic: 'general', data: 'count is 0' },
    });
  });

  it('keeps the id of a bad frame when it can, so the client can match the error', () => {
    expect(parseClientFrame('{"type":"subscribe","topic":"","id":"abc"}')).toMatchObject({
      ok: false,
      code: 'invalid_topic',
      id: 'abc',
    });
    expect(parseClientFrame('{"type":"subscribe","topic":"a","id":{"x":1}}')).toMatchObject({
      ok: false,
      code: 'bad_frame',
    });
  });

  it('accepts unicode topics and refuses whitespace, control characters and ".."', () => {
    expect(topicProblem('chat/général:42')).toBeUndefined();
    expect(topicProblem('a\tb')).toMatch(/may contain only/);
    expect(topicProblem('a\u007fb')).toMatch(/may contain only/);
    expect(topicProblem('a/../b')).toMatch(/\.\./);
    expect(topicProblem('x'.repeat(257))).toMatch(/longer than/);
  });

  it('never throws and always answers a known code, whatever the input', () => {
    const samples: string[] = [];
    for (let i = 0; i < 2000; i++) samples.push(randomBytes(i % 64).toString(i % 2 ? 'latin1' : 'utf8'));
    samples.push('{"type":"__proto__"}', '{"type":"constructor"}', '{"type":"toString","topic":"a"}');
    samples.push(`${'['.repeat(100_000)}`, '{"type":"publish","topic":"a","data":1e999}');
    for (const text of samples) {
      const result = parseClientFrame(text);
      if (!result.ok) expect(Object.keys(ErrorCodes)).toContain(result.code);
    }
    expect(parseClientFrame('{"type":"constructor"}')).toMatchObject({ ok: false, code: 'unknown_type' });
  });

  it('counts UTF-8 bytes exactly', () => {
    for (const text of ['', 'abc', 'é', '€', '😀', 'a😀b€', '\ud800x']) {
      expect(utf8Length(text)).toBe(Buffer.byteLength(text));
    }
  });
});
