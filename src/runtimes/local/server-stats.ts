import type { MetricName, Metrics } from '../../core/index.ts';

/** What `GET /stats` answers: the local server's live figures, for the web console and for curl. */
export interface ServerStatsSnapshot {
  /** Open WebSocket connections, as the emulator sees them. */
  connections: number;
  /** Live subscriptions and topics with at least one subscriber; null when the store cannot count them cheaply. */
  subscriptions: number | null;
  topics: number | null;
  /** Presence members in all and the topics with the most (at most 10); null when the store cannot count cheaply. */
  presence: { members: number; topics: Array<{ topic: string; members: number }> } | null;
  /** Publishes per second over the last few seconds (client frames and `POST /publish` alike). */
  messagesPerSecond: number;
  /** Messages delivered to subscribers per second over the same window (fan-out included). */
  deliveriesPerSecond: number;
  /** Counters since the server started. */
  totals: { publishes: number; deliveries: number; connects: number; disconnects: number };
  uptimeSeconds: number;
}

/** A store that can report its sizes without a scan (MemoryStore can; DynamoDB cannot, so it is not asked). */
interface SizedStore {
  stats(): {
    connections: number;
    topics: number;
    subscriptions: number;
    presence?: { members: number; topics: Array<{ topic: string; members: number }> };
  };
}

/** Rates are averaged over this many whole seconds, so one burst does not make the figure jump and vanish. */
const WINDOW_SECONDS = 5;

/** Counts per second in a small ring of buckets: constant memory whatever the traffic. */
class RateWindow {
  private readonly buckets = new Array<number>(WINDOW_SECONDS).fill(0);
  private readonly bucketSecond = new Array<number>(WINDOW_SECONDS).fill(-1);

  add(second: number, value: number): void {
    const index = second % this.buckets.length;
    if (this.bucketSecond[index] !== second) {
      this.bucketSecond[index] = second;
      this.buckets[index] = 0;
    }
    this.buckets[index] = (this.buckets[index] ?? 0) + value;
  }

  /** Average over the current second and the WINDOW_SECONDS - 1 before it, rounded to one decimal. */
  perSecond(second: number): number {
    let sum = 0;
    for (let index = 0; index < this.buckets.length; index++) {
      const at = this.bucketSecond[index] ?? -1;
      if (at > second - WINDOW_SECONDS && at <= second) sum += this.buckets[index] ?? 0;
    }
    return Math.round((sum / WINDOW_SECONDS) * 10) / 10;
  }
}

/**
 * The broker's metrics port, counted in process for the stats endpoint and passed on unchanged to the
 * metrics the server was given.
 */
export class ServerStats implements Metrics {
  private readonly totals = { publishes: 0, deliveries: 0, connects: 0, disconnects: 0 };
  private readonly publishes = new RateWindow();
  private readonly deliveries = new RateWindow();
  private readonly startedAt: number;

  constructor(
    private readonly inner: Metrics | undefined,
    private readonly now: () => number = Date.now,
  ) {
    this.startedAt = now();
  }

  count(name: MetricName, value = 1): void {
    this.inner?.count(name, value);
    if (name in this.totals) this.totals[name as keyof typeof this.totals] += value;
    const second = Math.floor(this.now() / 1000);
    if (name === 'publishes') this.publishes.add(second, value);
    if (name === 'deliveries') this.deliveries.add(second, value);
  }

  snapshot(connections: number, store: unknown): ServerStatsSnapshot {
    const second = Math.floor(this.now() / 1000);
    const sizes = isSizedStore(store) ? store.stats() : undefined;
    return {
      connections,
      subscriptions: sizes?.subscriptions ?? null,
      topics: sizes?.topics ?? null,
      presence: sizes?.presence ?? null,
      messagesPerSecond: this.publishes.perSecond(second),
      deliveriesPerSecond: this.deliveries.perSecond(second),
      totals: { ...this.totals },
      uptimeSeconds: Math.floor((this.now() - this.startedAt) / 1000),
    };
  }
}

function isSizedStore(store: unknown): store is SizedStore {
  return (
    typeof store === 'object' && store !== null && typeof (store as Partial<SizedStore>).stats === 'function'
  );
}
