import { byId } from './dom.ts';
import { PollingPanel, type PollOutcome } from './poller.ts';
import { getJson } from './server-api.ts';

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
export class StatsPanel extends PollingPanel {
  private readonly note = byId('stats-note', HTMLElement);
  private readonly cells = {
    connections: byId('stat-connections', HTMLElement),
    subscriptions: byId('stat-subscriptions', HTMLElement),
    topics: byId('stat-topics', HTMLElement),
    members: byId('stat-members', HTMLElement),
    rate: byId('stat-rate', HTMLElement),
    deliveries: byId('stat-deliveries', HTMLElement),
  };

  constructor(token: () => string) {
    super(POLL_INTERVAL_MS, token);
  }

  protected async poll(token: string): Promise<PollOutcome> {
    const answer = await getJson<StatsBody>('/stats', token);
    if (answer.ok) {
      this.show(answer.body);
      return 'shown';
    }
    if (answer.status === 401) {
      this.unavailable(
        token
          ? 'This token is not accepted for the figures.'
          : 'Auth is on: enter a token to see the figures.',
      );
      return 'refused';
    }
    this.unavailable(answer.status === 0 ? answer.message : `Stats unavailable (HTTP ${answer.status}).`);
    return 'shown';
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
