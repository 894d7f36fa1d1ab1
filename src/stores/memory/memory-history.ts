import {
  type AppendOptions,
  type AppendResult,
  defaultBrokerLimits,
  type History,
  type HistoryPage,
  type LatestOptions,
  type ReadOptions,
  type Retention,
} from '../../core/index.ts';
import type { JsonValue, StreamPosition } from '../../protocol/index.ts';
import { newEpoch } from '../epoch.ts';

/** Memory bounds of the embedded history (docs/history.md, "Memory store"). Defaults: `defaultMemoryHistoryLimits`. */
export interface MemoryHistoryLimits {
  /** Bytes of message JSON held for all topics together. Past it the quietest topic's oldest messages go first. */
  maxTotalBytes: number;
  /** Bytes of message JSON held for one topic. Past it that topic's oldest messages go first. */
  maxTopicBytes: number;
  /**
   * A topic with no messages left and no activity (append or position read) for this long is forgotten,
   * epoch and all: no client can still hold a position in it, since a connection lives at most 2 hours.
   */
  idleTopicSeconds: number;
}

export const defaultMemoryHistoryLimits: MemoryHistoryLimits = {
  maxTotalBytes: 64 * 1024 * 1024,
  maxTopicBytes: 16 * 1024 * 1024,
  idleTopicSeconds: defaultBrokerLimits.recordTtlSeconds,
};

/** Topics visited by the background sweep per append or position read: freeing stays O(1) per call. */
const SWEEP_PER_CALL = 2;

interface Entry {
  offset: number;
  /** The message's JSON, as stored: what the memory bound counts (heap use is about the same). */
  json: string;
  /** Epoch milliseconds when stored. */
  at: number;
}

interface TopicStream {
  epoch: string;
  top: number;
  /** Oldest first, at most `maxMessages`. */
  entries: Entry[];
  /** Sum of the entries' JSON lengths. */
  bytes: number;
  /** idempotency key -> (offset, expiry in epoch ms); insertion order is expiry order. */
  keys: Map<string, { offset: number; expiresAt: number }>;
  /** Epoch ms of the last append or position read. */
  touchedAt: number;
  /** The retention of the last call that touched it, for the sweep. */
  retention: Retention;
}

/**
 * History in process memory: a counter and a bounded window per topic. Each append runs with no await
 * inside, so offsets are assigned and stored atomically and in order. Memory is bounded three ways:
 * per topic (count, age, bytes), globally (bytes, evicting from the topics published to least recently),
 * and over time (each call sweeps a couple of topics, freeing expired messages of quiet topics and
 * forgetting idle empty ones).
 */
export class MemoryHistory implements History {
  /** Ordered by last append (re-inserted on each), so the first is the quietest: eviction starts there. */
  private readonly streams = new Map<string, TopicStream>();
  private totalBytes = 0;
  private sweepCursor: Iterator<[string, TopicStream]> | undefined;
  private readonly limits: MemoryHistoryLimits;

  constructor(
    private readonly now: () => number,
    limits: Partial<MemoryHistoryLimits> = {},
  ) {
    this.limits = { ...defaultMemoryHistoryLimits, ...limits };
  }

  async append(topic: string, data: JsonValue, options: AppendOptions): Promise<AppendResult> {
    const now = this.now();
    const { retention, idempotencyKey } = options;
    const stream = this.stream(topic, now, retention);
    this.prune(stream, retention, now);
    if (idempotencyKey !== undefined) {
      const seen = stream.keys.get(idempotencyKey);
      if (seen) return { epoch: stream.epoch, offset: seen.offset, duplicate: true };
    }
    const offset = ++stream.top;
    const json = options.json ?? JSON.stringify(data);
    stream.entries.push({ offset, json, at: now });
    this.grow(stream, json.length);
    if (stream.entries.length > retention.maxMessages) {
      this.dropOldest(stream, stream.entries.length - retention.maxMessages);
    }
    while (stream.bytes > this.limits.maxTopicBytes && stream.entries.length > 1) this.dropOldest(stream, 1);
    if (idempotencyKey !== undefined) {
      stream.keys.set(idempotencyKey, { offset, expiresAt: now + retention.maxAgeSeconds * 1000 });
    }
    // Most recently published last: the global bound evicts from the front.
    this.streams.delete(topic);
    this.streams.set(topic, stream);
    this.evictOverTotal(stream);
    this.sweep(now);
    return { epoch: stream.epoch, offset, duplicate: false };
  }

  async position(topic: string): Promise<StreamPosition> {
    const now = this.now();
    const stream = this.stream(topic, now, undefined);
    this.sweep(now);
    return { epoch: stream.epoch, offset: stream.top };
  }

  async read(topic: string, after: number, options: ReadOptions): Promise<HistoryPage> {
    const stream = this.stream(topic, this.now(), options.retention);
    this.prune(stream, options.retention, this.now());
    const oldest = stream.entries[0]?.offset ?? stream.top + 1;
    const messages = stream.entries
      .filter((entry) => entry.offset > after)
      .slice(0, options.limit)
      .map(({ offset, json }) => ({ offset, data: JSON.parse(json) as JsonValue }));
    return { epoch: stream.epoch, top: stream.top, oldest, messages };
  }

  async latest(topic: string, options: LatestOptions): Promise<HistoryPage> {
    const stream = this.streams.get(topic);
    // A topic nobody published to gets no state from being read.
    if (!stream) return { epoch: '', top: 0, oldest: 1, messages: [] };
    this.prune(stream, options.retention, this.now());
    const picked: Entry[] = [];
    let bytes = 0;
    for (let i = stream.entries.length - 1; i >= 0 && picked.length < options.limit; i--) {
      const entry = stream.entries[i] as Entry;
      picked.push(entry);
      bytes += entry.json.length;
      if (bytes >= options.maxBytes) break;
    }
    picked.reverse();
    const messages = picked.map(({ offset, json }) => ({ offset, data: JSON.parse(json) as JsonValue }));
    const oldest = stream.entries[0]?.offset ?? stream.top + 1;
    return { epoch: stream.epoch, top: stream.top, oldest, messages };
  }

  /** Topics with a stream, for listings. */
  topics(): IterableIterator<string> {
    return this.streams.keys();
  }

  /** A stream's position if it has one; unlike `position`, never creates it (listings are read only). */
  peek(topic: string): StreamPosition | undefined {
    const stream = this.streams.get(topic);
    return stream && { epoch: stream.epoch, offset: stream.top };
  }

  /** Topics with a stream, messages held and their bytes: for stats and tests. */
  size(): { topics: number; messages: number; bytes: number } {
    let messages = 0;
    for (const stream of this.streams.values()) messages += stream.entries.length;
    return { topics: this.streams.size, messages, bytes: this.totalBytes };
  }

  private stream(topic: string, now: number, retention: Retention | undefined): TopicStream {
    let stream = this.streams.get(topic);
    if (!stream) {
      stream = {
        epoch: newEpoch(),
        top: 0,
        entries: [],
        bytes: 0,
        keys: new Map(),
        touchedAt: now,
        retention: retention ?? (defaultBrokerLimits.history || { maxMessages: 0, maxAgeSeconds: 0 }),
      };
      this.streams.set(topic, stream);
    }
    stream.touchedAt = now;
    if (retention) stream.retention = retention;
    return stream;
  }

  private grow(stream: TopicStream, bytes: number): void {
    stream.bytes += bytes;
    this.totalBytes += bytes;
  }

  private dropOldest(stream: TopicStream, count: number): void {
    const dropped = stream.entries.splice(0, count);
    let bytes = 0;
    for (const entry of dropped) bytes += entry.json.length;
    this.grow(stream, -bytes);
  }

  /** Past the global bound: the oldest messages of the least recently published topics go first. */
  private evictOverTotal(keep: TopicStream): void {
    if (this.totalBytes <= this.limits.maxTotalBytes) return;
    for (const stream of this.streams.values()) {
      while (
        this.totalBytes > this.limits.maxTotalBytes &&
        stream.entries.length > (stream === keep ? 1 : 0)
      ) {
        this.dropOldest(stream, 1);
      }
      if (this.totalBytes <= this.limits.maxTotalBytes) return;
    }
  }

  /**
   * Visits a few topics round-robin: frees their expired messages and keys, and forgets those left empty
   * and idle. Without it a topic nobody publishes to or reads again would hold its messages forever.
   */
  private sweep(now: number): void {
    for (let visited = 0; visited < SWEEP_PER_CALL && visited < this.streams.size; visited++) {
      this.sweepCursor ??= this.streams.entries();
      const next = this.sweepCursor.next();
      if (next.done) {
        this.sweepCursor = undefined;
        continue;
      }
      const [topic, stream] = next.value;
      this.prune(stream, stream.retention, now);
      const idle = now - stream.touchedAt >= this.limits.idleTopicSeconds * 1000;
      if (idle && stream.entries.length === 0 && stream.keys.size === 0) this.streams.delete(topic);
    }
  }

  /** Drops messages past the age or count bound, and expired idempotency keys. */
  private prune(stream: TopicStream, retention: Retention, now: number): void {
    const cutoff = now - retention.maxAgeSeconds * 1000;
    let expired = 0;
    while (expired < stream.entries.length && (stream.entries[expired] as Entry).at <= cutoff) expired++;
    const excess = stream.entries.length - expired - retention.maxMessages;
    const drop = expired + Math.max(0, excess);
    if (drop > 0) this.dropOldest(stream, drop);
    for (const [key, seen] of stream.keys) {
      if (seen.expiresAt > now) break;
      stream.keys.delete(key);
    }
  }
}
