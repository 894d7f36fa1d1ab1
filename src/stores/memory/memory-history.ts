import type {
  AppendOptions,
  AppendResult,
  History,
  HistoryPage,
  ReadOptions,
  Retention,
} from '../../core/index.ts';
import type { JsonValue, StreamPosition } from '../../protocol/index.ts';
import { newEpoch } from '../epoch.ts';

interface Entry {
  offset: number;
  data: JsonValue;
  /** Epoch milliseconds when stored. */
  at: number;
}

interface TopicStream {
  epoch: string;
  top: number;
  /** Oldest first, at most `maxMessages`. */
  entries: Entry[];
  /** idempotency key -> (offset, expiry in epoch ms); insertion order is expiry order. */
  keys: Map<string, { offset: number; expiresAt: number }>;
}

/**
 * History in process memory: a counter and a bounded window per topic. Each append runs with no await
 * inside, so offsets are assigned and stored atomically and in order.
 */
export class MemoryHistory implements History {
  private readonly streams = new Map<string, TopicStream>();

  constructor(private readonly now: () => number) {}

  async append(topic: string, data: JsonValue, options: AppendOptions): Promise<AppendResult> {
    const stream = this.stream(topic);
    const now = this.now();
    const { retention, idempotencyKey } = options;
    this.prune(stream, retention, now);
    if (idempotencyKey !== undefined) {
      const seen = stream.keys.get(idempotencyKey);
      if (seen) return { epoch: stream.epoch, offset: seen.offset, duplicate: true };
    }
    const offset = ++stream.top;
    stream.entries.push({ offset, data, at: now });
    if (stream.entries.length > retention.maxMessages) {
      stream.entries.splice(0, stream.entries.length - retention.maxMessages);
    }
    if (idempotencyKey !== undefined) {
      stream.keys.set(idempotencyKey, { offset, expiresAt: now + retention.maxAgeSeconds * 1000 });
    }
    return { epoch: stream.epoch, offset, duplicate: false };
  }

  async position(topic: string): Promise<StreamPosition> {
    const stream = this.stream(topic);
    return { epoch: stream.epoch, offset: stream.top };
  }

  async read(topic: string, after: number, options: ReadOptions): Promise<HistoryPage> {
    const stream = this.stream(topic);
    this.prune(stream, options.retention, this.now());
    const oldest = stream.entries[0]?.offset ?? stream.top + 1;
    const messages = stream.entries
      .filter((entry) => entry.offset > after)
      .slice(0, options.limit)
      .map(({ offset, data }) => ({ offset, data }));
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

  /** Topics with a stream, and messages held: for stats. */
  size(): { topics: number; messages: number } {
    let messages = 0;
    for (const stream of this.streams.values()) messages += stream.entries.length;
    return { topics: this.streams.size, messages };
  }

  private stream(topic: string): TopicStream {
    let stream = this.streams.get(topic);
    if (!stream) {
      stream = { epoch: newEpoch(), top: 0, entries: [], keys: new Map() };
      this.streams.set(topic, stream);
    }
    return stream;
  }

  /** Drops messages past the age or count bound, and expired idempotency keys. */
  private prune(stream: TopicStream, retention: Retention, now: number): void {
    const cutoff = now - retention.maxAgeSeconds * 1000;
    let expired = 0;
    while (expired < stream.entries.length && (stream.entries[expired] as Entry).at <= cutoff) expired++;
    const excess = stream.entries.length - expired - retention.maxMessages;
    const drop = expired + Math.max(0, excess);
    if (drop > 0) stream.entries.splice(0, drop);
    for (const [key, seen] of stream.keys) {
      if (seen.expiresAt > now) break;
      stream.keys.delete(key);
    }
  }
}
