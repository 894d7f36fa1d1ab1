import { describe, expect, it } from 'vitest';
import { Emitter } from '../../src/client/emitter.ts';

describe('Emitter', () => {
  it('calls listeners in order, removes them, and survives one that throws', async () => {
    const emitter = new Emitter<{ n: number }>();
    const seen: number[] = [];
    const off = emitter.on('n', (n) => seen.push(n));
    emitter.on('n', () => {
      throw new Error('listener bug');
    });
    emitter.on('n', (n) => seen.push(n * 10));
    const thrown = new Promise<unknown>((resolve) => process.once('uncaughtException', resolve));
    emitter.emit('n', 1);
    expect(seen).toEqual([1, 10]);
    // The error is not swallowed: it surfaces asynchronously, as an uncaught exception would.
    expect(await thrown).toMatchObject({ message: 'listener bug' });
    off();
    expect(emitter.listenerCount('n')).toBe(2);
  });
});
