import { describe, expect, it } from 'vitest';
import { JwtVerifier } from '../../src/core/auth/index.ts';
import type { PublishResult } from '../../src/core/index.ts';
import { PublishApi, type PublishApiOptions } from '../../src/core/publish-api/index.ts';
import type { JsonValue } from '../../src/protocol/index.ts';
import { hsToken, SECRET } from '../security/support/tokens.ts';

const KEY = 'test-api-key-0123456789';

function setup(options: Partial<PublishApiOptions> = {}) {
  const published: Array<{ topic: string; data: JsonValue }> = [];
  const api = new PublishApi({
    publish: async (topic, data): Promise<PublishResult> => {
      published.push({ topic, data });
      return { topic, delivered: 2, gone: 0, failed: 0, abandoned: 0 };
    },
    auth: { apiKeys: [KEY], verifier: new JwtVerifier({ secret: SECRET }) },
    ...options,
  });
  const post = async (body: unknown, headers: Record<string, string> = { 'x-api-key': KEY }) => {
    const response = await api.handle({
      method: 'POST',
      headers,
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: response.statusCode, body: JSON.parse(response.body) };
  };
  return { api, published, post };
}

describe('PublishApi', () => {
  it('publishes with an API key and returns delivery counts', async () => {
    const { post, published } = setup();
    expect(await post({ topic: 'news', data: { a: 1 } })).toEqual({
      status: 200,
      body: { topic: 'news', delivered: 2, failed: 0 },
    });
    expect(published).toEqual([{ topic: 'news', data: { a: 1 } }]);
  });

  it('refuses missing and wrong credentials with 401 unauthorized, publishing nothing', async () => {
    const { post, published } = setup();
    const attempts: Array<Record<string, string>> = [
      {},
      { 'x-api-key': 'wrong-key-0123456789' },
      { authorization: 'Bearer nope' },
    ];
    for (const headers of attempts) {
      expect(await post({ topic: 'news', data: 1 }, headers)).toMatchObject({
        status: 401,
        body: { type: 'error', code: 'unauthorized' },
      });
    }
    expect(published).toEqual([]);
  });

  it('applies a bearer JWT publish permissions', async () => {
    const { post } = setup();
    const headers = { authorization: `Bearer ${await hsToken({ publish: ['chat/*'] })}` };
    expect((await post({ topic: 'chat/a', data: 1 }, headers)).status).toBe(200);
    expect(await post({ topic: 'admin', data: 1 }, headers)).toMatchObject({
      status: 403,
      body: { code: 'forbidden' },
    });
  });

  it('publishes a batch whole or not at all', async () => {
    const { post, published } = setup();
    const ok = await post({
      messages: [
        { topic: 'a', data: 1 },
        { topic: 'b', data: 2 },
      ],
    });
    expect(ok.body.results).toHaveLength(2);
    const bad = await post({
      messages: [
        { topic: 'a', data: 1 },
        { topic: 'x/../y', data: 2 },
      ],
    });
    expect(bad).toMatchObject({ status: 400, body: { code: 'invalid_topic' } });
    expect(published).toHaveLength(2);
  });

  it('answers a repeated idempotency key without publishing again', async () => {
    const { post, published } = setup();
    const first = await post({ topic: 'a', data: 1, idempotencyKey: 'k1' });
    const again = await post({ topic: 'a', data: 1, idempotencyKey: 'k1' });
    expect(again.body).toEqual({ ...first.body, duplicate: true });
    expect(published).toHaveLength(1);
  });

  it('refuses bad bodies, oversized bodies, and floods with their codes', async () => {
    const { post } = setup({ maxBodyBytes: 1000, rate: { perSecond: 1, burst: 5 } });
    expect(await post('{nope')).toMatchObject({ status: 400, body: { code: 'bad_json' } });
    expect(await post({ topic: 'a' })).toMatchObject({ status: 400, body: { code: 'bad_frame' } });
    expect(await post({ topic: 'a', data: 'x'.repeat(2000) })).toMatchObject({
      status: 413,
      body: { code: 'payload_too_large' },
    });
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await post({ topic: 'a', data: i })).status);
    expect(statuses).toContain(429);
  });

  it('refuses malformed bodies with 400 bad_frame, publishing nothing, and says where the problem is', async () => {
    const { post, published } = setup({ maxBatch: 3 });
    const message = { topic: 'a', data: 1 };
    const cases: Array<[unknown, RegExp]> = [
      ['[]', /the body must be a JSON object/],
      ['null', /the body must be a JSON object/],
      ['"text"', /the body must be a JSON object/],
      ['42', /the body must be a JSON object/],
      [{ topic: 7, data: 1 }, /^topic: /],
      [{ data: 1 }, /^topic: /],
      [{ topic: 'a' }, /^data: is required/],
      [{ topic: 'a', data: 1, idempotencyKey: '' }, /^idempotencyKey: /],
      [{ topic: 'a', data: 1, idempotencyKey: 5 }, /^idempotencyKey: /],
      [{ topic: 'a', data: 1, idempotencyKey: 'k'.repeat(257) }, /^idempotencyKey: /],
      [{ topic: 'a', data: 1, idempotencyKey: 'k\ud800' }, /^idempotencyKey: must be well-formed Unicode/],
      [{ messages: 'no' }, /^messages: /],
      [{ messages: [] }, /^messages: /],
      [{ messages: [message, message, message, message] }, /at most 3 messages per batch/],
      [{ messages: [message, 'x'] }, /^messages\[1\]: /],
      [{ messages: [message, { topic: 'b' }] }, /^messages\[1\]\.data: is required/],
      [{ messages: [message, { ...message, idempotencyKey: null }] }, /^messages\[1\]\.idempotencyKey: /],
    ];
    for (const [body, pattern] of cases) {
      const answer = await post(body);
      expect(answer, JSON.stringify(body)).toMatchObject({ status: 400, body: { code: 'bad_frame' } });
      expect(answer.body.message, JSON.stringify(body)).toMatch(pattern);
    }
    expect(published).toEqual([]);
    // The lone surrogate above, as it arrives on the wire (JSON.stringify would escape it the same way).
    expect((await post('{"topic":"a","data":1,"idempotencyKey":"k\\udc00"}')).body.code).toBe('bad_frame');
    expect(await post({ topic: 'a', data: null })).toMatchObject({ status: 200 });
    expect(await post({ messages: [message, { ...message, idempotencyKey: 'k' }] })).toMatchObject({
      status: 200,
    });
    expect(published).toHaveLength(3);
  });

  it('refuses short API keys at construction', () => {
    expect(() => setup({ auth: { apiKeys: ['short'] } })).toThrow(/16/);
  });
});
