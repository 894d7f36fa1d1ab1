import { byId } from './dom.ts';

/** The JSON of `GET /stats` (src/runtimes/local/server-stats.ts); only the fields the page shows. */
interface StatsBody {
  connections: number;
  subscriptions: number | null;
  topics: number | null;
  presence?: { members: number; topics: Array<{ topic: string; members: number }> } | null;
  messagesPerSecond: number;
  deliveriesPerSecond: number;
}

const POLL_INTERVAL_MS = 1000;

/**
 * Polls the figures of the server that serves the page, once a second while the page is visible. The
 * token, when there is one, goes as a bearer: `/stats` accepts what `POST /publish` accepts.
 */
export class StatsPanel {
  private timer: ReturnType<typeof setInterval> | undefined;
  private inFlight = false;
  /** The credential a 401 answered: not sent again each second (each refusal is an error in the devtools). */
  private refusedToken: string | undefined;
  private readonly note = byId('stats-note', HTMLElement);
  private readonly cells = {
    connections: byId('stat-connections', HTMLElement),
    subscriptions: byId('stat-subscriptions', HTMLElement),
    topics: byId('stat-topics', HTMLElement),
    members: byId('stat-members', HTMLElement),
    rate: byId('stat-rate', HTMLElement),
    deliveries: byId('stat-deliveries', HTMLElement),
  };

  constructor(private readonly token: () => string) {}

  start(): void {
    void this.refresh();
    this.timer ??= setInterval(() => {
      if (!document.hidden) void this.refresh();
    }, POLL_INTERVAL_MS);
  }

  async refresh(): Promise<void> {
    const token = this.token();
    if (this.inFlight || token === this.refusedToken) return;
    this.inFlight = true;
    try {
      const response = await fetch('/stats', {
        headers: token ? { authorization: `Bearer ${token}` } : {},
        cache: 'no-store',
      });
      if (response.status === 401) {
        this.refusedToken = token;
        return this.unavailable(
          token
            ? 'This token is not accepted for the figures.'
            : 'Auth is on: enter a token to see the figures.',
        );
      }
      this.refusedToken = undefined;
      if (!response.ok) return this.unavailable(`Stats unavailable (HTTP ${response.status}).`);
      this.show((await response.json()) as StatsBody);
    } catch {
      this.unavailable('Server unreachable.');
    } finally {
      this.inFlight = false;
    }
  }

  private show(stats: StatsBody): void {
    this.note.textContent = 'live';
    this.note.dataset.live = 'true';
    this.cells.connections.textContent = String(stats.connections);
    this.cells.subscriptions.textContent = stats.subscriptions === null ? 'n/a' : String(stats.subscriptions);
    this.cells.topics.textContent = stats.topics === null ? 'n/a' : String(stats.topics);
    const presence = stats.presence;
    this.cells.members.textContent = presence ? String(presence.members) : 'n/a';
    // Which topics hold them, fullest first (the server sends at most 10).
    this.cells.members.title = presence
      ? presence.topics.map(({ topic, members }) => `${topic}: ${members}`).join('\n')
      : '';
    this.cells.rate.textContent = formatRate(stats.messagesPerSecond);
    this.cells.deliveries.textContent = `${formatRate(stats.deliveriesPerSecond)} delivered/s`;
  }

  private unavailable(message: string): void {
    this.note.textContent = message;
    this.note.dataset.live = 'false';
    for (const cell of Object.values(this.cells))
      cell.textContent = cell === this.cells.deliveries ? '' : '–';
  }
}

function formatRate(value: number): string {
  return value >= 100 ? String(Math.round(value)) : value.toFixed(1);
}
