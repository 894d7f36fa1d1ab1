import { describe, expect, it } from 'vitest';
import { TopicExpiries } from '../../src/stores/memory/topic-expiries.ts';

describe("TopicExpiries (a connection's subscriptions in the memory store)", () => {
  it('holds one topic, then more, with their expiries and in the order they were first set', () => {
    const topics = new TopicExpiries();
    expect(topics.size).toBe(0);
    topics.set('a', 10);
    topics.set('b', 20);
    topics.set('a', 11);
    topics.set('c', 30);
    expect(topics.size).toBe(3);
    expect(topics.get('a')).toBe(11);
    expect(topics.get('b')).toBe(20);
    expect(topics.get('z')).toBeUndefined();
    expect(topics.entries()).toEqual([
      ['a', 11],
      ['b', 20],
      ['c', 30],
    ]);
  });

  it('deletes from either place and keeps insertion order when a deleted first topic comes back', () => {
    const topics = new TopicExpiries();
    topics.set('a', 1);
    topics.set('b', 2);
    expect(topics.delete('a')).toBe(true);
    expect(topics.delete('a')).toBe(false);
    topics.set('a', 3);
    expect(topics.entries()).toEqual([
      ['b', 2],
      ['a', 3],
    ]);
    expect(topics.delete('b')).toBe(true);
    expect(topics.delete('a')).toBe(true);
    expect(topics.size).toBe(0);
    topics.set('c', 4);
    expect(topics.entries()).toEqual([['c', 4]]);
  });

  it('lets the caller delete while iterating its entries', () => {
    const topics = new TopicExpiries();
    for (const [i, topic] of ['a', 'b', 'c', 'd'].entries()) topics.set(topic, i);
    for (const [topic, expiresAt] of topics.entries()) if (expiresAt % 2 === 0) topics.delete(topic);
    expect(topics.entries()).toEqual([
      ['b', 1],
      ['d', 3],
    ]);
  });
});
