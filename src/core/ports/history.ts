import type { JsonValue, StreamPosition } from '../../protocol/index.ts';

/** How much of a topic's stream is kept: the newest `maxMessages`, none older than `maxAgeSeconds`. */
export interface Retention {
  maxMessages: number;
  maxAgeSeconds: number;
}

export interface AppendOptions {
  retention: Retention;
  /**
   * A retried publish with the same key (per topic) within `retention.maxAgeSeconds` is not stored again:
   * the first append's position comes back with `duplicate: true`.
   */
  idempotencyKey?: string;
  /** `JSON.stringify(data)`, when the caller has it already: stores keep this text instead of serializing again. */
  json?: string;
}

export interface AppendResult extends StreamPosition {
  duplicate: boolean;
}

export interface StoredMessage {
  offset: number;
  data: JsonValue;
}

export interface ReadOptions {
  retention: Retention;
  /** Most messages returned (a page); the caller reads again after the last offset for more. */
  limit: number;
}

export interface HistoryPage {
  /** The stream's epoch and top offset when the read started. */
  epoch: string;
  top: number;
  /**
   * The oldest offset still held, as far as this read can tell (at least the first returned offset when it
   * is not `after + 1`; `top + 1` when nothing is held after `after`): a replay after `after` is complete
   * only if `oldest <= after + 1`.
   */
  oldest: number;
  /** Retained messages after the requested offset, ascending. May have holes while publishes are in flight. */
  messages: StoredMessage[];
}

export interface LatestOptions {
  retention: Retention;
  /** Most messages returned. */
  limit: number;
  /**
   * Stop reading once the messages read hold this many bytes of JSON data (the one that crosses it is
   * included): one `history` request then reads about one answer's worth, never `limit` large messages.
   */
  maxBytes: number;
}

/**
 * Per-topic message history: a position (`epoch` + `offset`) per message, a bounded window of recent
 * messages, and idempotent appends. A topic's meta (epoch, top offset) outlives its messages, so a client
 * holding an old position learns that history no longer reaches back instead of silently missing messages.
 * The same contract suite (test/stores/store-contract.ts) runs against every implementation.
 */
export interface History {
  /**
   * Assigns the next offset (top + 1) atomically and stores the message. Offsets of one topic never repeat
   * within an epoch; concurrent appends may finish in any order.
   */
  append(topic: string, data: JsonValue, options: AppendOptions): Promise<AppendResult>;
  /**
   * The stream's position, creating its meta (a new epoch, top 0) if the topic has none, so a subscriber
   * to a quiet topic has a position to come back with. Strongly consistent.
   */
  position(topic: string): Promise<StreamPosition>;
  /** Retained messages with offset > `after`, ascending, at most `limit`. Strongly consistent. */
  read(topic: string, after: number, options: ReadOptions): Promise<HistoryPage>;
  /**
   * The newest retained messages, returned ascending, read newest first within `limit` and `maxBytes`.
   * Does not create the topic's meta. Optional: without it the broker reads the last `limit` with `read`.
   */
  latest?(topic: string, options: LatestOptions): Promise<HistoryPage>;
}

/**
 * A History with the retention every call on it names: what the broker and the shard worker hold when
 * history is on. `store` is where the messages are kept (the store's own History, or one given apart).
 */
export interface RetainedHistory {
  store: History;
  retention: Retention;
}
