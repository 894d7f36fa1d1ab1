import type { EpochReset } from '../protocol/frames.ts';
import type { Message, StreamPosition } from './types.ts';

/** A stretch of a topic's stream the client will never see, and why. */
export interface GapReport {
  topic: string;
  /**
   * `history_exceeded`: history no longer reached back; `reset`: the stream was reset (new epoch) and what
   * the OLD epoch held after the last delivered message, if anything, is gone (`epoch` is the old epoch,
   * `from` the first offset not seen, `to` absent: the server no longer knows how far the old stream went);
   * `missing`: a hole the server could not fill (a publish that never completed); `overflow`: too much out
   * of order.
   */
  reason: 'history_exceeded' | 'reset' | 'missing' | 'overflow';
  epoch: string;
  /** First and last offset skipped (inclusive), when known. */
  from?: number;
  to?: number;
}

export interface SequencerHooks {
  deliver(message: Message<never>): void;
  gap(report: GapReport): void;
  /** A hole stayed open for `gapTimeoutMs`: ask the server to replay after the last delivered position. */
  repair(): void;
}

export interface SequencerOptions {
  gapTimeoutMs: number;
  maxPending: number;
  /**
   * Starts without waiting for a `subscribed` ack: a concrete topic first seen under a pattern subscription,
   * whose first message sets the base (there is no ack for it).
   */
  live?: boolean;
}

/**
 * Per-topic ordering: delivers each offset once, in offset order. With concurrent publishers a later offset
 * can arrive first (offset 6 before 5), so out-of-order messages wait in a small buffer; a hole that does not
 * fill in time is first repaired (resubscribe with `since`), then skipped and reported.
 */
export class Sequencer {
  /** The last offset delivered (contiguously), once a `subscribed` ack or a message has set a base. */
  position: StreamPosition | undefined;
  private readonly pending = new Map<number, Message<never>>();
  private awaitingAck: boolean;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private repairing = false;

  constructor(
    private readonly topic: string,
    private readonly options: SequencerOptions,
    private readonly hooks: SequencerHooks,
  ) {
    this.awaitingAck = options.live !== true;
  }

  /** A subscribe (with `since` = `position`) is on its way: messages of an unknown epoch wait for its ack. */
  expectAck(): void {
    this.awaitingAck = true;
  }

  accept(message: Message<never>): void {
    const { offset, epoch } = message;
    if (offset === undefined || epoch === undefined) {
      this.hooks.deliver(message);
      return;
    }
    const position = this.position;
    if (!position || position.epoch !== epoch) {
      if (this.awaitingAck) {
        this.hold(message);
        return;
      }
      // A new epoch outside any resubscribe: the server's stream was reset under a live subscription.
      if (position) this.hooks.gap(resetGap(this.topic, position));
      this.position = { epoch, offset: offset - 1 };
      this.dropPendingOutside(epoch, offset - 1);
    }
    const base = this.position as StreamPosition;
    if (offset <= base.offset || this.pending.has(offset)) return; // a duplicate (replay and live overlap)
    this.hold(message);
    this.drain();
  }

  /** The server's `subscribed` ack. `recovered` is absent when no `since` was sent. */
  acknowledged(ack: { epoch?: string; offset?: number; recovered?: boolean; reset?: EpochReset }): void {
    this.awaitingAck = false;
    if (ack.epoch === undefined || ack.offset === undefined) return; // history off on the server
    const position = this.position;
    if (position && ack.recovered === true && position.epoch === ack.epoch) {
      this.drain();
      return;
    }
    if (position && position.epoch !== ack.epoch && ack.reset === 'replayed') {
      // The whole new epoch was replayed before this ack (it is held in `pending`): only the old epoch's
      // tail after our position may be gone. Nothing of the new epoch is.
      this.hooks.gap(resetGap(this.topic, position));
      this.position = { epoch: ack.epoch, offset: 0 };
      this.dropPendingOutside(ack.epoch, 0);
      this.drain();
      return;
    }
    // A new base: first subscribe, history exceeded, or another epoch. Messages that arrived live before the
    // ack with a lower offset than the ack's top are still delivered, so the base may sit below the top.
    let base = ack.offset;
    for (const [offset, message] of this.pending) {
      if (message.epoch === ack.epoch && offset <= base) base = offset - 1;
    }
    if (position && ack.recovered === false) {
      if (position.epoch === ack.epoch) {
        const report: GapReport = { topic: this.topic, reason: 'history_exceeded', epoch: ack.epoch };
        if (base > position.offset) {
          report.from = position.offset + 1;
          report.to = base;
        }
        this.hooks.gap(report);
      } else {
        // Reset, and the new epoch was not replayed (it outgrew history too, or an older server): the old
        // epoch's tail and the new epoch's start are both gone.
        this.hooks.gap(resetGap(this.topic, position));
        if (base >= 1) {
          this.hooks.gap({
            topic: this.topic,
            reason: 'history_exceeded',
            epoch: ack.epoch,
            from: 1,
            to: base,
          });
        }
      }
    }
    this.position = { epoch: ack.epoch, offset: base };
    this.dropPendingOutside(ack.epoch, base);
    this.drain();
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pending.clear();
  }

  private hold(message: Message<never>): void {
    this.pending.set(message.offset as number, message);
    if (this.pending.size > this.options.maxPending) this.skipToLowest('overflow');
  }

  /** Delivers every contiguous pending message; arms the gap timer if a hole remains. */
  private drain(): void {
    const position = this.position;
    if (!position) return;
    for (;;) {
      const next = this.pending.get(position.offset + 1);
      if (!next) break;
      this.pending.delete(position.offset + 1);
      position.offset++;
      this.hooks.deliver(next);
    }
    if (this.pending.size === 0) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.repairing = false;
    } else {
      this.timer ??= setTimeout(() => this.onStalled(), this.options.gapTimeoutMs);
    }
  }

  private onStalled(): void {
    this.timer = undefined;
    if (this.pending.size === 0) return;
    if (this.awaitingAck) {
      // A resubscribe is under way: its replay may fill the hole.
      this.timer = setTimeout(() => this.onStalled(), this.options.gapTimeoutMs);
      return;
    }
    if (!this.repairing) {
      this.repairing = true;
      this.hooks.repair();
      this.timer = setTimeout(() => this.onStalled(), this.options.gapTimeoutMs);
      return;
    }
    this.skipToLowest('missing');
  }

  /** Gives up on the hole before the lowest pending offset: reports it, then delivers what follows. */
  private skipToLowest(reason: GapReport['reason']): void {
    const position = this.position;
    if (!position || this.pending.size === 0) return;
    const lowest = Math.min(...this.pending.keys());
    this.hooks.gap({
      topic: this.topic,
      reason,
      epoch: position.epoch,
      from: position.offset + 1,
      to: lowest - 1,
    });
    position.offset = lowest - 1;
    this.repairing = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.drain();
  }

  private dropPendingOutside(epoch: string, base: number): void {
    for (const [offset, message] of this.pending) {
      if (message.epoch !== epoch || offset <= base) this.pending.delete(offset);
    }
  }
}

/** What a reset loses for sure: the old epoch after the last delivered offset (how far it went is unknown). */
function resetGap(topic: string, position: StreamPosition): GapReport {
  return { topic, reason: 'reset', epoch: position.epoch, from: position.offset + 1 };
}
