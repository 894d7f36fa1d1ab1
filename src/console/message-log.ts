import type { Message } from '../client/index.ts';
import { element, trimChildren } from './dom.ts';
import { clockTime, dataPreview } from './format.ts';

/** Enough to watch a busy topic without the page growing without bound. */
const MAX_ROWS = 500;

/** The live message table, newest first. */
export class MessageLog {
  private received = 0;

  constructor(
    private readonly rows: HTMLTableSectionElement,
    private readonly counter: HTMLElement,
    private readonly empty: HTMLElement,
  ) {}

  add(message: Message, receivedAt = new Date()): void {
    this.received += 1;
    const row = element(
      'tr',
      { className: 'fresh' },
      element('td', { className: 'time', text: clockTime(receivedAt) }),
      element('td', {}, element('span', { className: 'topic-badge', text: message.topic })),
      element('td', {
        className: 'offset',
        text: message.offset === undefined ? '–' : String(message.offset),
      }),
      element('td', {}, element('code', { className: 'data', text: dataPreview(message.data) })),
    );
    this.rows.prepend(row);
    trimChildren(this.rows, MAX_ROWS);
    this.render();
  }

  clear(): void {
    this.rows.replaceChildren();
    this.received = 0;
    this.render();
  }

  private render(): void {
    this.counter.textContent = String(this.received);
    this.empty.hidden = this.received > 0;
  }
}
