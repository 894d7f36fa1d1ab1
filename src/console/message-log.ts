import type { Message } from '../client/index.ts';
import { element, trimChildren } from './dom.ts';
import { clockTime, positionLabel, prettyData } from './format.ts';

/** Enough to watch a busy topic without the page growing without bound. */
const MAX_ROWS = 500;

/** What a filter matches in a row: its topic and its data as shown. */
const searchText = new WeakMap<HTMLTableRowElement, string>();

/**
 * The live message table, newest first: arrival time, topic, position (`XvIJ·2`: epoch and offset) and
 * the data, JSON indented. A filter hides the rows whose topic and data do not contain its text.
 */
export class MessageLog {
  private received = 0;
  private filter = '';

  constructor(
    private readonly rows: HTMLTableSectionElement,
    private readonly counter: HTMLElement,
    private readonly empty: HTMLElement,
    private readonly filterStatus: HTMLElement,
  ) {}

  add(message: Message, receivedAt = new Date()): void {
    this.received += 1;
    const data = prettyData(message.data);
    const position = element('td', {
      className: 'offset',
      text: positionLabel(message.epoch, message.offset),
    });
    if (message.epoch !== undefined) position.title = `epoch ${message.epoch}, offset ${message.offset}`;
    const row = element(
      'tr',
      { className: 'fresh' },
      element('td', { className: 'time', text: clockTime(receivedAt) }),
      element('td', {}, element('span', { className: 'topic-badge', text: message.topic })),
      position,
      element('td', {}, element('pre', { className: 'data', text: data })),
    );
    searchText.set(row, `${message.topic}\n${data}`.toLowerCase());
    row.hidden = !this.matches(row);
    this.rows.prepend(row);
    trimChildren(this.rows, MAX_ROWS);
    this.render();
  }

  /** Shows only rows whose topic or data contains `text` (case-insensitive); empty shows all. */
  setFilter(text: string): void {
    this.filter = text.trim().toLowerCase();
    for (const row of Array.from(this.rows.rows)) row.hidden = !this.matches(row);
    this.render();
  }

  clear(): void {
    this.rows.replaceChildren();
    this.received = 0;
    this.render();
  }

  private matches(row: HTMLTableRowElement): boolean {
    return this.filter === '' || (searchText.get(row) ?? '').includes(this.filter);
  }

  private render(): void {
    this.counter.textContent = String(this.received);
    this.empty.hidden = this.received > 0;
    if (this.filter === '') {
      this.filterStatus.textContent = '';
      return;
    }
    let shown = 0;
    for (const row of Array.from(this.rows.rows)) if (!row.hidden) shown++;
    this.filterStatus.textContent = `${shown} of ${this.rows.rows.length} shown, filtered by “${this.filter}”`;
  }
}
