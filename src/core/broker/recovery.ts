import type { StreamPosition, SubscribedFrame } from '../../protocol/index.ts';
import type { RetainedHistory } from '../ports/index.ts';
import type { BrokerContext } from './context.ts';
import { serializeMessage } from './message-frame.ts';

/** What a subscribe's ack says about the stream: its position, and with `since` whether recovery held. */
export type Recovered = Pick<SubscribedFrame, 'recovered' | 'epoch' | 'offset' | 'reset'>;

/** A subscribe's recovery from history (docs/history.md): the position, and the replay of what was missed. */
export class Recovery {
  constructor(
    private readonly context: BrokerContext,
    private readonly history: RetainedHistory,
  ) {}

  /**
   * After the subscription is stored: the stream's position, and with `since` the replay of every retained
   * message after it, sent before the ack. Never a partial replay: if history no longer reaches back,
   * nothing is replayed and the answer is `recovered: false`. A `since` in another epoch (the stream was
   * reset) gets the whole current epoch instead, when history still holds its start: every message of a new
   * epoch is newer than anything the client saw in the old one (docs/history.md, "Across a reset").
   */
  async recover(connectionId: string, topic: string, since: StreamPosition | undefined): Promise<Recovered> {
    const { metrics } = this.context;
    const current = await this.history.store.position(topic);
    if (!since) return { epoch: current.epoch, offset: current.offset };
    if (since.epoch !== current.epoch) {
      const replay = await this.replay(connectionId, topic, current, 0);
      const reset = replay.outcome === 'replayed' ? 'replayed' : 'history_exceeded';
      metrics.count(reset === 'replayed' ? 'resetsReplayed' : 'recoveriesFailed');
      return { recovered: false, reset, epoch: replay.epoch, offset: replay.top };
    }
    if (since.offset > current.offset) {
      metrics.count('recoveriesFailed');
      return { recovered: false, epoch: current.epoch, offset: current.offset };
    }
    if (since.offset === current.offset) {
      // Nothing missed. Later appends are fanned out to this subscription, stored before the position read.
      metrics.count('recoveries');
      return { recovered: true, epoch: current.epoch, offset: current.offset };
    }
    const replay = await this.replay(connectionId, topic, current, since.offset);
    if (replay.outcome !== 'replayed') {
      if (replay.outcome === 'exceeded') metrics.count('recoveriesFailed');
      return { recovered: false, epoch: replay.epoch, offset: replay.top };
    }
    metrics.count('recoveries');
    return { recovered: true, epoch: replay.epoch, offset: replay.top };
  }

  /**
   * Sends every retained message of `current.epoch` after `after` to one connection, in offset order, or
   * nothing when history no longer holds `after + 1` (`exceeded`). `undeliverable`: the connection is gone.
   */
  private async replay(
    connectionId: string,
    topic: string,
    current: StreamPosition,
    after: number,
  ): Promise<{ outcome: 'replayed' | 'exceeded' | 'undeliverable'; epoch: string; top: number }> {
    const { gateway, metrics } = this.context;
    const pageSize = this.context.limits.historyPageSize;
    const { store, retention } = this.history;
    const { epoch } = current;
    let top = current.offset;
    let first = true;
    let replayed = 0;
    while (after < top || first) {
      const page = await store.read(topic, after, { retention, limit: pageSize });
      if (first) {
        first = false;
        if (page.epoch !== epoch || after + 1 < page.oldest) {
          return { outcome: 'exceeded', epoch: page.epoch, top: Math.max(top, page.top) };
        }
      }
      top = Math.max(top, page.top);
      for (const message of page.messages) {
        const frame = serializeMessage(topic, message.data, { epoch, offset: message.offset });
        // At the reader's pace: a replay larger than the unread-output bound must not drop a fast reader.
        await gateway.whenWritable?.(connectionId);
        const report = await gateway.send([connectionId], frame);
        if (report.delivered === 0) return { outcome: 'undeliverable', epoch, top };
        after = message.offset;
        replayed++;
      }
      if (page.messages.length < pageSize) break;
    }
    if (replayed) metrics.count('replayedMessages', replayed);
    return { outcome: 'replayed', epoch, top: Math.max(top, after) };
  }
}
