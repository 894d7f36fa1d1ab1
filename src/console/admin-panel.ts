import type { ConnectionsBody, ConnectionView, TopicsBody } from '../core/admin/index.ts';
import type { TopicSummary } from '../core/index.ts';
import { byId, element } from './dom.ts';
import { age, positionLabel } from './format.ts';
import { PollingPanel, type PollOutcome } from './poller.ts';
import { getJson, type ServerAnswer } from './server-api.ts';

/** Topics and connections change with every subscribe; every two seconds is live enough and cheap. */
const POLL_INTERVAL_MS = 2000;

interface Row {
  row: HTMLTableRowElement;
  cells: HTMLTableCellElement[];
}

/**
 * What the server holds, from `GET /admin/topics` and `/admin/connections` (first page of each): topics
 * with subscriber counts and stream positions, each with a button that opens its history, and the open
 * connections with identity, age and subscriptions. Rows are updated in place, keyed by topic or id, so
 * keyboard focus on a History button survives a refresh.
 */
export class AdminPanel extends PollingPanel {
  private readonly note = byId('admin-note', HTMLElement);
  private readonly topics = new KeyedRows(
    byId('server-topic-rows', HTMLTableSectionElement),
    byId('server-topics-empty', HTMLElement),
    byId('server-topic-count', HTMLElement),
  );
  private readonly connections = new KeyedRows(
    byId('server-connection-rows', HTMLTableSectionElement),
    byId('server-connections-empty', HTMLElement),
    byId('server-connection-count', HTMLElement),
  );

  constructor(
    token: () => string,
    private readonly openHistory: (topic: string, opener: HTMLButtonElement) => void,
  ) {
    super(POLL_INTERVAL_MS, token);
  }

  protected async poll(token: string): Promise<PollOutcome> {
    const [topics, connections] = await Promise.all([
      getJson<TopicsBody>('/admin/topics', token),
      getJson<ConnectionsBody>('/admin/connections', token),
    ]);
    if (!topics.ok) return this.unavailable(token, topics);
    if (!connections.ok) return this.unavailable(token, connections);
    this.note.textContent = topics.body.next || connections.body.next ? 'first page shown' : '';
    this.topics.show(topics.body.topics, (topic) => topic.topic, this.topicCells);
    this.connections.show(
      connections.body.connections,
      (connection) => connection.connectionId,
      connectionCells,
    );
    return 'shown';
  }

  private readonly topicCells = (topic: TopicSummary, cells: HTMLTableCellElement[]): void => {
    const [name, subscribers, position, action] = cells as [
      HTMLTableCellElement,
      HTMLTableCellElement,
      HTMLTableCellElement,
      HTMLTableCellElement,
    ];
    if (!name.firstChild) {
      name.append(element('span', { className: 'topic-name', text: topic.topic }));
      const button = element('button', {
        className: 'button small',
        text: 'History',
        attributes: { type: 'button', 'aria-label': `History of ${topic.topic}` },
      });
      button.addEventListener('click', () => this.openHistory(topic.topic, button));
      action.append(button);
    }
    setText(subscribers, String(topic.subscribers));
    setText(position, positionLabel(topic.position?.epoch, topic.position?.offset));
    position.title = topic.position
      ? `epoch ${topic.position.epoch}, top offset ${topic.position.offset}`
      : '';
  };

  private unavailable(token: string, failed: Extract<ServerAnswer<unknown>, { ok: false }>): PollOutcome {
    if (failed.status === 401) {
      this.note.textContent = token
        ? 'This token is not accepted for the listings.'
        : 'Auth is on: enter a token to see topics and connections.';
      return 'refused';
    }
    if (failed.status === 501) {
      // The DynamoDB store: listing would be a table scan (docs/console.md). Nothing changes until restart.
      this.note.textContent = 'Not listed with this store (it would need a table scan).';
      return 'stop';
    }
    this.note.textContent = failed.message;
    return 'shown';
  }
}

function connectionCells(connection: ConnectionView, cells: HTMLTableCellElement[]): void {
  const [id, identity, ageCell, subscriptions] = cells as [
    HTMLTableCellElement,
    HTMLTableCellElement,
    HTMLTableCellElement,
    HTMLTableCellElement,
  ];
  setText(id, connection.connectionId);
  setText(identity, connection.identity ?? 'anonymous');
  identity.classList.toggle('muted', connection.identity === null);
  setText(ageCell, age(connection.ageSeconds));
  setText(subscriptions, connection.subscriptions.length ? connection.subscriptions.join(', ') : '–');
}

/** Rows of a table body kept in the server's order, created, updated in place and removed by key. */
class KeyedRows {
  private readonly rows = new Map<string, Row>();
  private readonly labels: string[];

  constructor(
    private readonly body: HTMLTableSectionElement,
    private readonly empty: HTMLElement,
    private readonly counter: HTMLElement,
  ) {
    // Phones show rows as cards, each cell labelled with its column's header (styles.css, data-label).
    const headers = body.closest('table')?.querySelectorAll('thead th');
    this.labels = Array.from(headers ?? []).map((header) => header.textContent?.trim() ?? '');
  }

  show<T>(
    items: readonly T[],
    key: (item: T) => string,
    fill: (item: T, cells: HTMLTableCellElement[]) => void,
  ) {
    const seen = new Set<string>();
    let previous: HTMLTableRowElement | undefined;
    for (const item of items) {
      const id = key(item);
      seen.add(id);
      let entry = this.rows.get(id);
      if (!entry) {
        const cells = this.labels.map((label) => element('td', { attributes: { 'data-label': label } }));
        entry = { row: element('tr', { attributes: { 'data-key': id } }, ...cells), cells };
        this.rows.set(id, entry);
      }
      fill(item, entry.cells);
      const expected = previous ? previous.nextElementSibling : this.body.firstElementChild;
      if (expected !== entry.row) {
        if (previous) previous.after(entry.row);
        else this.body.prepend(entry.row);
      }
      previous = entry.row;
    }
    for (const [id, entry] of this.rows) {
      if (seen.has(id)) continue;
      entry.row.remove();
      this.rows.delete(id);
    }
    this.counter.textContent = String(items.length);
    this.empty.hidden = items.length > 0;
  }
}

/** Writes only changes, so screen readers and selection are not disturbed every refresh. */
function setText(cell: HTMLElement, text: string): void {
  if (cell.textContent !== text) cell.textContent = text;
}
