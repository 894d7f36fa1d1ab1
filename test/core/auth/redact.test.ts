import { describe, expect, it } from 'vitest';
import { REDACTED, redact, redactingLogger } from '../../../src/core/auth/index.ts';
import type { LogFields } from '../../../src/core/index.ts';

const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0.c2lnbmF0dXJl';

describe('redact', () => {
  it('removes secrets under secret-looking keys and inside strings', () => {
    const out = redact({
      headers: {
        Authorization: `Bearer ${jwt}`,
        'Sec-WebSocket-Protocol': `topicsocket.v1, topicsocket.token.${jwt}`,
      },
      queryStringParameters: { token: jwt, room: 'x' },
      'x-api-key': 'k-123',
      url: `/?token=${jwt}&room=x`,
      note: `client sent ${jwt}`,
      error: new Error(`bad Bearer abc.def`),
      nested: [{ apiKey: 'secret' }],
    });
    const text = JSON.stringify(out);
    expect(text).not.toContain(jwt);
    expect(text).not.toContain('k-123');
    expect(text).not.toContain('abc.def');
    expect(text).not.toContain('"secret"');
    expect(text).toContain('room=x');
    expect(out).toMatchObject({ queryStringParameters: { token: REDACTED, room: 'x' } });
  });

  it('wraps a logger so messages and fields are redacted', () => {
    const lines: Array<[string, LogFields | undefined]> = [];
    const logger = redactingLogger({
      debug: () => {},
      info: (message, fields) => lines.push([message, fields]),
      warn: () => {},
      error: () => {},
    });
    logger.info(`connect ?token=${jwt}`, { token: jwt });
    expect(JSON.stringify(lines)).not.toContain(jwt);
  });
});
