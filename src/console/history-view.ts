import type { HistoryBody } from '../core/admin/index.ts';
import { byId, element } from './dom.ts';
import { positionLabel, prettyData } from './format.ts';
import { getJson } from './server-api.ts';

/**
 * A topic's retained messages on demand (`GET /admin/history?topic=`: the newest page, oldest first),
 * e.g. after a reload, when the live log starts empty. Opening moves focus to the card; closing returns it
 * to the button that opened it.
 */
export class HistoryView {
  private readonly card = byId('history-card', HTMLElement);
  private readonly heading = byId('history-heading', HTMLElement);
  private readonly topicName = byId('history-topic', HTMLElement);
  private readonly note = byId('history-note', HTMLElement);
  private readonly list = byId('history-list', HTMLOListElement);
  private topic: string | undefined;
  private opener: HTMLElement | undefined;

  constructor(private readonly token: () => string) {
    byId('history-close', HTMLButtonElement).addEventListener('click', () => this.close());
    byId('history-refresh', HTMLButtonElement).addEventListener('click', () => void this.load());
    this.card.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') this.close();
    });
  }

  async open(topic: string, opener?: HTMLElement): Promise<void> {
    this.topic = topic;
    this.opener = opener;
    this.topicName.textContent = topic;
    this.card.hidden = false;
    this.heading.focus();
    await this.load();
  }

  private async load(): Promise<void> {
    const topic = this.topic;
    if (topic === undefined) return;
    this.note.textContent = 'Loading…';
    const answer = await getJson<HistoryBody>(
      `/admin/history?topic=${encodeURIComponent(topic)}`,
      this.token(),
    );
    if (topic !== this.topic) return;
    if (!answer.ok) {
      this.list.replaceChildren();
      this.note.textContent = `History unavailable: ${answer.message}`;
      return;
    }
    const { epoch, top, messages, oldest } = answer.body;
    this.list.replaceChildren(
      ...messages.map((message) =>
        element(
          'li',
          { className: 'history-item' },
          element('span', {
            className: 'position',
            text: positionLabel(epoch, message.offset),
            attributes: { title: `epoch ${epoch}, offset ${message.offset}` },
          }),
          element('pre', { className: 'data', text: prettyData(message.data) }),
        ),
      ),
    );
    this.note.textContent =
      messages.length === 0
        ? `Nothing retained · position ${positionLabel(epoch, top)}`
        : `${messages.length} retained message${messages.length === 1 ? '' : 's'} shown (offsets ${
            messages[0]?.offset ?? oldest
          }–${messages.at(-1)?.offset ?? top}) · position ${positionLabel(epoch, top)}`;
  }

  private close(): void {
    this.card.hidden = true;
    this.topic = undefined;
    if (this.opener?.isConnected) this.opener.focus();
  }
}
