import { describe, expect, it } from 'vitest';
import { awsStyleId } from '../../../src/runtimes/emulator/ids.ts';

describe('awsStyleId', () => {
  it('makes AWS-shaped ids', () => {
    const ids = new Set(Array.from({ length: 2000 }, awsStyleId));
    expect(ids.size).toBe(2000);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9+/]{15}=$/);
    expect([...ids].some((id) => id.includes('+') || id.includes('/'))).toBe(true);
  });
});
