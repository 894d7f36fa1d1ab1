import { describe, expect, it } from 'vitest';
import { formatRequestTime } from '../../../src/runtimes/emulator/request-context.ts';

describe('formatRequestTime', () => {
  it('formats requestTime as API Gateway does', () => {
    expect(formatRequestTime(Date.UTC(2023, 6, 20, 23, 29, 5))).toBe('20/Jul/2023:23:29:05 +0000');
  });
});
