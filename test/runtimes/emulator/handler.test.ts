import { describe, expect, it } from 'vitest';
import { normalizeResult } from '../../../src/runtimes/emulator/handler.ts';

describe('normalizeResult', () => {
  it('reads handler results as API Gateway reads Lambda proxy results', () => {
    expect(normalizeResult(undefined)).toEqual({ statusCode: 200 });
    expect(normalizeResult('text')).toEqual({ statusCode: 200, body: 'text' });
    expect(normalizeResult({ statusCode: 401, headers: { A: 1 } })).toEqual({
      statusCode: 401,
      headers: { A: '1' },
    });
  });
});
