import { sleep } from '../../core/util/backoff.ts';

/**
 * How long a process trusts what it read of a pattern marker (present or absent), milliseconds. The one
 * knob of the marker cache (docs/dynamodb.md, "Marker cache"): a warm process reads each marker at most once
 * per window whatever its publish rate, and a subscribe that creates a marker waits one window (plus
 * MARKER_WAIT_MARGIN_MS) before its ack. Every process on a table must use the same value.
 */
export const MARKER_CACHE_WINDOW_MS = 1000;

/**
 * Added to the window by a subscribe that waits: covers timers firing early (Node rounds to the
 * millisecond) and clock-rate drift between processes. Only durations are compared, each on its own
 * process's monotonic clock, so clock skew does not enter here.
 */
export const MARKER_WAIT_MARGIN_MS = 100;

/**
 * A live marker that expires within this many seconds is re-created (and waited for) rather than renewed:
 * covers wall-clock skew between processes (a publisher whose clock runs ahead may already count it
 * expired) and the latency of the renewing write.
 */
export const MARKER_EXPIRY_MARGIN_SECONDS = 5;

/**
 * Patterns a process keeps marker reads for. Each entry is a pattern string and a few numbers (well under
 * 1 KB), so the default costs at most a few MB; a process publishing under more distinct prefixes than this
 * within one window just reads some markers again.
 */
export const MARKER_CACHE_MAX_ENTRIES = 10_000;

/** Monotonic time and waiting, injectable so tests move time instead of sleeping. */
export interface MonotonicClock {
  /** Milliseconds from an arbitrary origin; never goes backwards. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemMonotonicClock: MonotonicClock = {
  now: () => performance.now(),
  sleep,
};

/** A marker read: live, dead (absent or expired), or unknown (DynamoDB left the key unprocessed). */
export type MarkerState = 'live' | 'dead' | 'unknown';

interface Entry {
  /** When the read that filled this entry was sent (monotonic): its freshness counts from there. */
  readAt: number;
  state: Promise<MarkerState>;
}

/**
 * A bounded LRU of marker reads with single flight: concurrent publishes needing the same marker share one
 * read. Hand-written because it is twenty lines and needs two things LRU libraries don't have: freshness
 * counted from when the read was *sent* (what the subscribe's wait is measured against), and in-flight
 * entries. Unknown states and failed reads are never kept.
 */
export class PatternMarkerCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly clock: MonotonicClock = systemMonotonicClock,
    private readonly maxEntries: number = MARKER_CACHE_MAX_ENTRIES,
    private readonly windowMs: number = MARKER_CACHE_WINDOW_MS,
  ) {}

  /** Entries held now (fresh or not); never more than maxEntries. */
  get size(): number {
    return this.entries.size;
  }

  /**
   * Whether each pattern's marker is live, from fresh entries where there are some; the others are read
   * with one call to `read` (which must answer for each pattern it is given).
   */
  async states(
    patterns: readonly string[],
    read: (patterns: readonly string[]) => Promise<ReadonlyMap<string, MarkerState>>,
  ): Promise<MarkerState[]> {
    const now = this.clock.now();
    const missing: string[] = [];
    const states = patterns.map((pattern) => {
      const entry = this.entries.get(pattern);
      if (!entry || now - entry.readAt >= this.windowMs) {
        missing.push(pattern);
        return undefined;
      }
      // Most recently used last: the Map's insertion order is the LRU order.
      this.entries.delete(pattern);
      this.entries.set(pattern, entry);
      return entry.state;
    });
    if (missing.length === 0) return Promise.all(states as Promise<MarkerState>[]);
    const batch = read(missing);
    const fresh = new Map<string, Promise<MarkerState>>();
    for (const pattern of missing) {
      const entry: Entry = { readAt: now, state: batch.then((answer) => answer.get(pattern) ?? 'unknown') };
      fresh.set(pattern, entry.state);
      this.entries.delete(pattern);
      this.entries.set(pattern, entry);
      const forget = () => {
        if (this.entries.get(pattern) === entry) this.entries.delete(pattern);
      };
      entry.state.then((state) => state === 'unknown' && forget(), forget);
    }
    this.evict();
    return Promise.all(
      states.map((state, i) => state ?? (fresh.get(patterns[i] as string) as Promise<MarkerState>)),
    );
  }

  private evict(): void {
    for (const pattern of this.entries.keys()) {
      if (this.entries.size <= this.maxEntries) return;
      this.entries.delete(pattern);
    }
  }
}
