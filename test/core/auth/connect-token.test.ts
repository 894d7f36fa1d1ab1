import { describe, expect, it } from 'vitest';
import {
  connectCredentials,
  guardConnect,
  JwtVerifier,
  toAuthorizerContext,
} from '../../../src/core/auth/index.ts';
import { SUBPROTOCOL, tokenSubprotocols } from '../../../src/protocol/index.ts';
import { hsToken, SECRET } from '../../security/support/tokens.ts';
import { wsEvent } from '../../support/events.ts';

const connectWith = (headers: Record<string, string>, query?: Record<string, string>) =>
  wsEvent('$connect', 'c1', undefined, { headers, ...(query ? { queryStringParameters: query } : {}) });

describe('connectCredentials', () => {
  it('reads the token from the query string', () => {
    expect(connectCredentials(connectWith({}, { token: 'abc' }))).toMatchObject({
      token: 'abc',
      source: 'query',
    });
  });

  it('reads the token from Sec-WebSocket-Protocol and echoes only topicsocket.v1', () => {
    const offered = tokenSubprotocols('eyJ.x.y').join(', ');
    const credentials = connectCredentials(connectWith({ 'sec-websocket-protocol': offered }));
    expect(credentials).toMatchObject({
      token: 'eyJ.x.y',
      source: 'subprotocol',
      echoSubprotocol: SUBPROTOCOL,
    });
    expect(credentials.unechoableSubprotocols).toBe(false);
  });

  it('matches header names case-insensitively and prefers a bearer header', () => {
    const event = connectWith(
      { Authorization: 'Bearer header-token', 'Sec-WebSocket-Protocol': 'topicsocket.v1' },
      {
        token: 'query-token',
      },
    );
    expect(connectCredentials(event)).toMatchObject({
      token: 'header-token',
      source: 'authorization_header',
    });
  });

  it('flags an offer with nothing the server may echo', () => {
    const credentials = connectCredentials(
      connectWith({ 'Sec-WebSocket-Protocol': 'topicsocket.token.abc' }),
    );
    expect(credentials.echoSubprotocol).toBeUndefined();
    expect(credentials.unechoableSubprotocols).toBe(true);
  });
});

describe('guardConnect', () => {
  const auth = { mode: 'required' as const, verifier: new JwtVerifier({ secret: SECRET }) };

  it('allows a verified token, trims the claims and echoes the subprotocol', async () => {
    const token = await hsToken({ email: 'pii@example.com', subscribe: ['a'] });
    const decision = await guardConnect(
      connectWith({ 'Sec-WebSocket-Protocol': tokenSubprotocols(token).join(',') }),
      auth,
    );
    expect(decision).toMatchObject({ allow: true, headers: { 'Sec-WebSocket-Protocol': SUBPROTOCOL } });
    expect(decision.allow && decision.claims).toMatchObject({ sub: 'user-1', subscribe: ['a'] });
    expect(decision.allow && decision.claims?.email).toBeUndefined();
    expect(JSON.stringify(decision.headers)).not.toContain(token);
  });

  it('refuses with 401 without a token, and trusts claims from a Lambda authorizer', async () => {
    expect(await guardConnect(connectWith({}), auth)).toMatchObject({ allow: false, statusCode: 401 });
    const event = connectWith({});
    const exp = Math.floor(Date.now() / 1000) + 60;
    (event.requestContext as unknown as { authorizer: unknown }).authorizer = toAuthorizerContext(
      { sub: 'u', exp },
      exp,
    );
    expect(await guardConnect(event, auth)).toMatchObject({
      allow: true,
      claims: { sub: 'u' },
      expiresAt: exp,
    });
    expect(await guardConnect(event, { ...auth, trustAuthorizerContext: false })).toMatchObject({
      allow: false,
    });
  });

  it('lets everyone in when open', async () => {
    expect(await guardConnect(connectWith({}), { mode: 'open' })).toMatchObject({ allow: true });
    expect(await guardConnect(connectWith({}), undefined)).toMatchObject({ allow: true });
  });
});
