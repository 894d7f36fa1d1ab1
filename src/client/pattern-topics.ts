import type { StreamPosition, TopicRecovery } from '../protocol/frames.ts';
import type { Sequencer } from './sequencer.ts';

/**
 * The concrete topics seen under one pattern subscription (`orders/*`), each with its own Sequencer: order,
 * duplicates and the last position are per topic, as for a plain subscription. At most `max` topics are kept
 * (the server recovers at most that many per subscribe, InputLimits.maxPatternPositions); past it the topic
 * heard from least recently is forgotten, and is then recovered no more after a reconnect.
 */
export class PatternTopics {
  /** Insertion order is recency order: a topic is moved to the end whenever a message arrives for it. */
  private readonly topics = new Map<string, Sequencer>();

  constructor(
    private readonly max: number,
    private readonly create: (topic: string) => Sequencer,
  ) {}

  /** The topic's sequencer, made on its first message. */
  sequencer(topic: string): Sequencer {
    let sequencer = this.topics.get(topic);
    if (sequencer) {
      this.topics.delete(topic);
    } else {
      sequencer = this.create(topic);
      if (this.topics.size >= this.max) {
        const [oldest, forgotten] = this.topics.entries().next().value as [string, Sequencer];
        forgotten.dispose();
        this.topics.delete(oldest);
      }
    }
    this.topics.set(topic, sequencer);
    return sequencer;
  }

  /** The last delivered position of every topic that has one: the `positions` of a resubscribe. */
  positions(): { [topic: string]: StreamPosition } | undefined {
    let out: { [topic: string]: StreamPosition } | undefined;
    for (const [topic, sequencer] of this.topics) {
      const position = sequencer.position;
      if (!position) continue;
      out ??= {};
      out[topic] = { epoch: position.epoch, offset: position.offset };
    }
    return out;
  }

  /** A resubscribe is on its way: topics with a position wait for its replay (see Sequencer.expectAck). */
  expectAck(): void {
    for (const sequencer of this.topics.values()) if (sequencer.position) sequencer.expectAck();
  }

  /** The `subscribed` ack's per-topic recovery, handed to each topic's sequencer. */
  acknowledged(positions: { [topic: string]: TopicRecovery } | undefined): void {
    for (const [topic, sequencer] of this.topics) {
      const recovery = positions?.[topic];
      if (!recovery) {
        // Not listed (history off, or no position yet): nothing to recover, deliver as it comes.
        sequencer.acknowledged({});
        continue;
      }
      const ack: Parameters<Sequencer['acknowledged']>[0] = {
        epoch: recovery.epoch,
        offset: recovery.offset,
        recovered: recovery.recovered,
      };
      if (recovery.reset !== undefined) ack.reset = recovery.reset;
      sequencer.acknowledged(ack);
    }
  }

  dispose(): void {
    for (const sequencer of this.topics.values()) sequencer.dispose();
    this.topics.clear();
  }
}
