/** The console's connection badge says a refusal in one line: status, code, the server's words, what to do. */
import { describe, expect, it } from 'vitest';
import { ConnectRefusedError, TopicsocketError } from '../../src/client/index.ts';
import { describe as describeState } from '../../src/console/connection-status.ts';

describe('console connection status text', () => {
  it('names a 401 refusal and what to do about it', () => {
    const error = new ConnectRefusedError({
      status: 401,
      serverCode: 'unauthorized',
      serverMessage: 'token missing or invalid',
    });
    expect(describeState({ state: 'refused', previous: 'connecting', reason: 'unauthorized', error })).toBe(
      'Refused (401 unauthorized): token missing or invalid; set a valid token and connect again',
    );
  });

  it('says a 404 means the URL', () => {
    const error = new ConnectRefusedError({ status: 404, serverMessage: 'Not Found' });
    expect(describeState({ state: 'refused', previous: 'connecting', error })).toBe(
      'Refused (404 not_found): nothing takes WebSockets at this URL; check it',
    );
  });

  it('shows a 429 with the server message and the wait', () => {
    const error = new ConnectRefusedError({
      status: 429,
      serverCode: 'rate_limited',
      serverMessage: 'at most 1000 connections per address',
      retryAfterMs: 5000,
    });
    expect(
      describeState({ state: 'reconnecting', previous: 'connected', code: 1006, error, delayMs: 5000 }),
    ).toBe('Reconnecting… (429 rate_limited: at most 1000 connections per address) · retry in 5.0 s');
  });

  it('says what a browser cannot tell when the attempt failed without an answer', () => {
    const error = new TopicsocketError('connect_failed', 'could not connect');
    expect(
      describeState({
        state: 'connecting',
        previous: 'connecting',
        code: 1006,
        reason: 'connect_failed',
        error,
        delayMs: 500,
      }),
    ).toBe(
      'Connecting… (server unreachable or connection refused (a browser cannot tell which; check the URL and token), 1006) · retry in 0.5 s',
    );
  });

  it('keeps the close code and reason of a connection that ended', () => {
    expect(
      describeState({
        state: 'reconnecting',
        previous: 'connected',
        code: 1001,
        reason: 'idle_timeout',
        delayMs: 500,
      }),
    ).toBe('Reconnecting… (idle_timeout, 1001) · retry in 0.5 s');
  });
});
