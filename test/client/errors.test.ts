import { describe, expect, it } from 'vitest';
import { isTopicsocketError, TopicsocketError } from '../../src/client/index.ts';

describe('TopicsocketError', () => {
  it('takes retryable from the code unless the server said otherwise', () => {
    expect(new TopicsocketError('rate_limited', 'slow down').retryable).toBe(true);
    expect(new TopicsocketError('forbidden', 'no').retryable).toBe(false);
    expect(new TopicsocketError('timeout', 'late').retryable).toBe(true);
    expect(new TopicsocketError('closed', 'bye').retryable).toBe(false);
    expect(new TopicsocketError('unavailable', 'x', { retryable: false }).retryable).toBe(false);
  });

  it('is an Error with a name, a topic and a cause', () => {
    const cause = new Error('inner');
    const error = new TopicsocketError('listener_failed', 'threw', { topic: 't', cause });
    expect(error).toBeInstanceOf(Error);
    expect(isTopicsocketError(error)).toBe(true);
    expect(isTopicsocketError(cause)).toBe(false);
    expect(error).toMatchObject({ name: 'TopicsocketError', code: 'listener_failed', topic: 't', cause });
  });
});
