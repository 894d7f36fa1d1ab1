/**
 * The marker cache's own rules (src/stores/dynamodb/pattern-marker-cache.ts), with a read function that
 * records what it is asked: single flight, the window counted from when a read was sent, unknown states
 * and failed reads never kept, and the bound. On DynamoDB Local: dynamodb-pattern-markers.test.ts.
 */
import { describe, expect, it } from 'vitest';
import {
  MARKER_CACHE_WINDOW_MS,
  type MarkerState,
  PatternMarkerCache,
} from '../../src/stores/dynamodb/pattern-marker-cache.ts';
import { VirtualClock } from '../support/virtual-clock.ts';

function recordingRead(answer: (pattern: string) => MarkerState = () => 'dead') {
  const asked: string[][] = [];
  let fail = false;
  const read = async (patterns: readonly string[]) => {
    asked.push([...patterns]);
    if (fail) throw new Error('throttled');
    return new Map(patterns.map((pattern) => [pattern, answer(pattern)] as const));
  };
  return {
    asked,
    read,
    failNext: () => {
      fail = true;
    },
    recover: () => {
      fail = false;
    },
  };
}

describe('PatternMarkerCache', () => {
  it('shares one read between concurrent lookups and trusts it for one window from when it was sent', async () => {
    const clock = new VirtualClock();
    const cache = new PatternMarkerCache(clock);
    const reads = recordingRead((p) => (p === 'a/*' ? 'live' : 'dead'));
    const both = await Promise.all([
      cache.states(['*', 'a/*'], reads.read),
      cache.states(['*', 'a/*'], reads.read),
    ]);
    expect(both).toEqual([
      ['dead', 'live'],
      ['dead', 'live'],
    ]);
    clock.advance(MARKER_CACHE_WINDOW_MS - 1);
    await cache.states(['*', 'a/*', 'a/b/*'], reads.read);
    expect(reads.asked).toEqual([['*', 'a/*'], ['a/b/*']]);
    clock.advance(1);
    await cache.states(['*', 'a/*', 'a/b/*'], reads.read);
    expect(reads.asked).toEqual([['*', 'a/*'], ['a/b/*'], ['*', 'a/*']]);
  });

  it('keeps neither unknown states (unprocessed keys) nor failed reads', async () => {
    const cache = new PatternMarkerCache(new VirtualClock());
    const reads = recordingRead((p) => (p === '*' ? 'unknown' : 'dead'));
    expect(await cache.states(['*', 'a/*'], reads.read)).toEqual(['unknown', 'dead']);
    await cache.states(['*', 'a/*'], reads.read);
    expect(reads.asked).toEqual([['*', 'a/*'], ['*']]);
    reads.failNext();
    await expect(cache.states(['b/*'], reads.read)).rejects.toThrow('throttled');
    reads.recover();
    expect(await cache.states(['b/*'], reads.read)).toEqual(['dead']);
    expect(reads.asked.at(-1)).toEqual(['b/*']);
  });

  it('holds at most maxEntries, evicting the least recently used, and still answers a bigger batch', async () => {
    const cache = new PatternMarkerCache(new VirtualClock(), 2);
    const reads = recordingRead();
    expect(await cache.states(['*', 'a/*', 'a/b/*'], reads.read)).toEqual(['dead', 'dead', 'dead']);
    expect(cache.size).toBe(2);
    await cache.states(['a/*'], reads.read);
    await cache.states(['x/*'], reads.read);
    expect(cache.size).toBe(2);
    // `a/b/*` was used less recently than `a/*`, so it went when `x/*` came in.
    await cache.states(['a/*', 'a/b/*'], reads.read);
    expect(reads.asked).toEqual([['*', 'a/*', 'a/b/*'], ['x/*'], ['a/b/*']]);
  });
});
