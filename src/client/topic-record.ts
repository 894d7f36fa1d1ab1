import type { FrameId } from '../protocol/frames.ts';
import type { TopicsocketError } from './errors.ts';
import type { PatternTopics } from './pattern-topics.ts';
import type { Sequencer } from './sequencer.ts';
import type { MessageListener, PresenceListener } from './types.ts';

/** One subscribe() call: its listener, its `ready` promise, and how a stream learns its topic ended. */
export interface TopicListener {
  listener: MessageListener<never>;
  /** Pending `ready` of this subscription, until the server's first answer after it was made. */
  ready?: { resolve: () => void; reject: (error: TopicsocketError) => void };
  /** Called when the subscription ends from outside: refused by the server (with the error) or client closed. */
  onEnd?: (error?: TopicsocketError) => void;
  /** Set: this listener takes part in the topic's presence and hears its `join`/`leave`. */
  onPresence?: PresenceListener;
}

/**
 * What the client wants for one topic, kept across connections. `status` is about the current connection
 * only: `idle` (not sent on it yet), `pending` (subscribe sent, no answer yet), `active` (acknowledged).
 */
export interface TopicRecord {
  topic: string;
  listeners: Set<TopicListener>;
  status: 'idle' | 'pending' | 'active';
  /** The id of the subscribe frame awaiting its ack on the current connection. */
  ackId?: FrameId;
  /** Whether the server has acknowledged this topic at least once (so the next ack is a resubscribe). */
  acknowledged: boolean;
  /** Failed subscribe attempts in a row for retryable server errors; drives that topic's own backoff. */
  failures: number;
  /**
   * Orders and deduplicates this topic's messages by offset and holds the last delivered position, sent as
   * `since` on every resubscribe so the server replays what was missed (docs/history.md).
   */
  sequencer: Sequencer;
  /** For a pattern subscription (`orders/*`): the concrete topics seen under it, each with its sequencer. */
  pattern?: PatternTopics;
  /** Subscribed with `presence: true` on the current connection (some listener has `onPresence`). */
  presence: boolean;
}

export function newTopicRecord(topic: string, sequencer: Sequencer): TopicRecord {
  return {
    topic,
    listeners: new Set(),
    status: 'idle',
    acknowledged: false,
    failures: 0,
    sequencer,
    presence: false,
  };
}
