import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { GapReport, Message } from '../../src/client/index.ts';
import { Sequencer } from '../../src/client/sequencer.ts';

const EPOCH = 'e1';

describe('Sequencer: each offset once, in offset order', () => {
  let delivered: number[];
  let gaps: GapReport[];
  let repairs: number;
  let sequencer: Sequencer;
  const message = (offset: number, epoch = EPOCH) =>
    ({ topic: 't', data: offset, offset, epoch }) as Message<never>;
  const feed = (...offsets: number[]) => {
    for (const offset of offsets) sequencer.accept(message(offset));
  };

  beforeEach(() => {
    vi.useFakeTimers();
    delivered = [];
    gaps = [];
    repairs = 0;
    sequencer = new Sequencer(
      't',
      { gapTimeoutMs: 1000, maxPending: 50 },
      {
        deliver: (m) => delivered.push(m.offset as number),
        gap: (gap) => gaps.push(gap),
        repair: () => repairs++,
      },
    );
  });
  afterEach(() => {
    sequencer.dispose();
    vi.useRealTimers();
  });

  it('holds messages until the first ack sets the base, then delivers them in order', () => {
    feed(7, 6);
    expect(delivered).toEqual([]);
    sequencer.acknowledged({ epoch: EPOCH, offset: 5 });
    expect(delivered).toEqual([6, 7]);
    expect(sequencer.position).toEqual({ epoch: EPOCH, offset: 7 });
  });

  it('delivers 6 after 5 when 6 arrives first (concurrent publishers), and drops duplicates', () => {
    sequencer.acknowledged({ epoch: EPOCH, offset: 4 });
    feed(6);
    expect(delivered).toEqual([]);
    feed(5, 5, 6, 4, 7);
    expect(delivered).toEqual([5, 6, 7]);
    expect(gaps).toEqual([]);
  });

  it('asks for a repair when a hole stays open, then skips it and reports it', () => {
    sequencer.acknowledged({ epoch: EPOCH, offset: 0 });
    feed(1, 3, 4);
    expect(delivered).toEqual([1]);
    vi.advanceTimersByTime(1000);
    expect(repairs).toBe(1);
    // The repair (a resubscribe with since) is acknowledged but cannot fill offset 2.
    sequencer.expectAck();
    sequencer.acknowledged({ epoch: EPOCH, offset: 4, recovered: true });
    vi.advanceTimersByTime(1000);
    expect(delivered).toEqual([1, 3, 4]);
    expect(gaps).toEqual([{ topic: 't', reason: 'missing', epoch: EPOCH, from: 2, to: 2 }]);
  });

  it('fills a hole from a replay without any gap', () => {
    sequencer.acknowledged({ epoch: EPOCH, offset: 0 });
    feed(1, 3);
    vi.advanceTimersByTime(1000);
    expect(repairs).toBe(1);
    sequencer.expectAck();
    feed(2, 3); // the replay after 1
    sequencer.acknowledged({ epoch: EPOCH, offset: 3, recovered: true });
    vi.advanceTimersByTime(5000);
    expect(delivered).toEqual([1, 2, 3]);
    expect(gaps).toEqual([]);
  });

  it('does not give up on a hole while a resubscribe is pending (offline)', () => {
    sequencer.acknowledged({ epoch: EPOCH, offset: 0 });
    feed(2);
    sequencer.expectAck();
    vi.advanceTimersByTime(10_000);
    expect(gaps).toEqual([]);
    expect(repairs).toBe(0);
  });

  it('reports history_exceeded with the missed range on recovered: false, and rebases', () => {
    sequencer.acknowledged({ epoch: EPOCH, offset: 0 });
    feed(1, 2, 3);
    sequencer.expectAck();
    feed(130); // live traffic that beat the ack
    sequencer.acknowledged({ epoch: EPOCH, offset: 129, recovered: false });
    expect(gaps).toEqual([{ topic: 't', reason: 'history_exceeded', epoch: EPOCH, from: 4, to: 129 }]);
    feed(131);
    expect(delivered).toEqual([1, 2, 3, 130, 131]);
  });

  it('reports a reset when the epoch changes, and follows the new stream', () => {
    sequencer.acknowledged({ epoch: EPOCH, offset: 0 });
    feed(1, 2);
    sequencer.expectAck();
    sequencer.acknowledged({ epoch: 'e2', offset: 0, recovered: false });
    sequencer.accept(message(1, 'e2'));
    // The gap names what is gone: the old epoch after offset 2 (how far it went is unknown).
    expect(gaps).toEqual([{ topic: 't', reason: 'reset', epoch: EPOCH, from: 3 }]);
    expect(delivered).toEqual([1, 2, 1]);
    expect(sequencer.position).toEqual({ epoch: 'e2', offset: 1 });
  });

  it('after a reset with the new epoch replayed, delivers it from offset 1 and reports only the old tail', () => {
    sequencer.acknowledged({ epoch: EPOCH, offset: 0 });
    feed(1, 2);
    sequencer.expectAck();
    // The replay of the new epoch arrives before the ack, then the ack, then live traffic.
    sequencer.accept(message(1, 'e2'));
    sequencer.accept(message(2, 'e2'));
    sequencer.acknowledged({ epoch: 'e2', offset: 2, recovered: false, reset: 'replayed' });
    sequencer.accept(message(2, 'e2'));
    sequencer.accept(message(3, 'e2'));
    expect(delivered).toEqual([1, 2, 1, 2, 3]);
    expect(gaps).toEqual([{ topic: 't', reason: 'reset', epoch: EPOCH, from: 3 }]);
    expect(sequencer.position).toEqual({ epoch: 'e2', offset: 3 });
  });

  it('after a reset whose new epoch outgrew history, reports the old tail and the new start as gone', () => {
    sequencer.acknowledged({ epoch: EPOCH, offset: 0 });
    feed(1);
    sequencer.expectAck();
    sequencer.acknowledged({ epoch: 'e2', offset: 8, recovered: false, reset: 'history_exceeded' });
    sequencer.accept(message(9, 'e2'));
    expect(gaps).toEqual([
      { topic: 't', reason: 'reset', epoch: EPOCH, from: 2 },
      { topic: 't', reason: 'history_exceeded', epoch: 'e2', from: 1, to: 8 },
    ]);
    expect(delivered).toEqual([1, 9]);
  });

  it('bounds what it holds: past maxPending it skips the oldest hole and says so', () => {
    sequencer.acknowledged({ epoch: EPOCH, offset: 0 });
    feed(...Array.from({ length: 51 }, (_, i) => i + 2));
    expect(gaps).toEqual([{ topic: 't', reason: 'overflow', epoch: EPOCH, from: 1, to: 1 }]);
    expect(delivered).toHaveLength(51);
  });
});
