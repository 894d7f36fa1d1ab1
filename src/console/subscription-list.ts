import type { Message, TopicsocketClient, Unsubscribe } from '../client/index.ts';
import { isTopicsocketError } from '../client/index.ts';
import { element } from './dom.ts';

/** `pending`: asked, no ack yet; `live`: acked on the current connection; `waiting`: offline, will resubscribe. */
type TopicState = 'pending' | 'live' | 'waiting' | 'refused';

interface TopicEntry {
  state: TopicState;
  stop: Unsubscribe | undefined;
  /** Kept and updated in place, so keyboard focus on its button survives state changes. */
  item: HTMLLIElement;
  label: HTMLElement;
}

const STATE_LABELS: Record<TopicState, string> = {
  pending: 'subscribing…',
  live: 'live',
  waiting: 'waiting for connection',
  refused: 'refused',
};

const STORAGE_KEY = 'topicsocket.console.topics';

export interface SubscriptionListElements {
  list: HTMLUListElement;
  empty: HTMLElement;
  suggestions: HTMLDataListElement;
}

export interface SubscriptionListEvents {
  message(message: Message): void;
  refused(topic: string, reason: string): void;
  /** The user removed a topic with its button (focus moves elsewhere). */
  removed(): void;
}

/**
 * The topics the page subscribes to, each with its state. The SDK resubscribes them after a reconnect;
 * this list only shows it happen, and moves them to a new client when the user connects elsewhere.
 */
export class SubscriptionList {
  private readonly topics = new Map<string, TopicEntry>();
  private client: TopicsocketClient | undefined;

  constructor(
    private readonly elements: SubscriptionListElements,
    private readonly events: SubscriptionListEvents,
  ) {
    for (const topic of loadTopics()) this.topics.set(topic, this.entry(topic));
    this.render();
  }

  /** Subscribes every topic on a new client (or, with none, keeps them for the next one). */
  use(client: TopicsocketClient | undefined): void {
    this.client = client;
    for (const [topic, entry] of this.topics) {
      entry.stop?.();
      entry.stop = undefined;
      if (client) this.subscribe(topic, entry, client);
      else this.set(entry, 'waiting');
    }
    this.render();
  }

  add(topic: string): void {
    if (this.topics.has(topic)) return;
    const entry = this.entry(topic);
    this.topics.set(topic, entry);
    if (this.client) this.subscribe(topic, entry, this.client);
    this.saveAndRender();
  }

  remove(topic: string): void {
    this.topics.get(topic)?.stop?.();
    this.topics.delete(topic);
    this.saveAndRender();
  }

  /** The connection is gone: every live topic waits for the SDK to resubscribe it. */
  connectionLost(): void {
    for (const entry of this.topics.values()) if (entry.state === 'live') this.set(entry, 'waiting');
    this.render();
  }

  /** The server acked `topic` (first time, or again after a reconnect). */
  acknowledged(topic: string): void {
    const entry = this.topics.get(topic);
    if (entry && entry.state !== 'refused') this.set(entry, 'live');
    this.render();
  }

  list(): string[] {
    return [...this.topics.keys()];
  }

  private subscribe(topic: string, entry: TopicEntry, client: TopicsocketClient): void {
    this.set(entry, client.state === 'connected' ? 'pending' : 'waiting');
    const stop = client.subscribe(topic, (message) => this.events.message(message));
    entry.stop = stop;
    stop.ready.then(
      () => {
        if (entry.stop === stop) this.acknowledged(topic);
      },
      (error: unknown) => {
        if (entry.stop !== stop) return;
        // `timeout` and `closed` are not refusals: the SDK keeps the subscription wanted, or the user moved on.
        if (isTopicsocketError(error) && (error.code === 'timeout' || error.code === 'closed')) return;
        const reason = isTopicsocketError(error) ? `${error.code}: ${error.message}` : String(error);
        this.set(entry, 'refused', reason);
        this.render();
        this.events.refused(topic, reason);
      },
    );
  }

  private set(entry: TopicEntry, state: TopicState, detail = ''): void {
    entry.state = state;
    entry.item.dataset.state = state;
    entry.label.textContent = STATE_LABELS[state];
    if (detail) entry.label.title = detail;
    else entry.label.removeAttribute('title');
  }

  private entry(topic: string): TopicEntry {
    const remove = element('button', {
      className: 'chip-remove',
      text: '×',
      attributes: { type: 'button', 'aria-label': `Unsubscribe from ${topic}` },
    });
    remove.addEventListener('click', () => {
      this.remove(topic);
      this.events.removed();
    });
    const label = element('span', { className: 'chip-state' });
    const item = element(
      'li',
      { className: 'chip', attributes: { 'data-topic': topic } },
      element('span', { className: 'chip-dot', attributes: { 'aria-hidden': 'true' } }),
      element('span', { className: 'chip-topic', text: topic }),
      label,
      remove,
    );
    const entry: TopicEntry = { state: 'waiting', stop: undefined, item, label };
    this.set(entry, 'waiting');
    return entry;
  }

  private saveAndRender(): void {
    try {
      localStorage.setItem(STORAGE_KEY, JSON.stringify(this.list()));
    } catch {
      // Storage may be disabled (private mode); the list still works for this page.
    }
    this.render();
  }

  private render(): void {
    const items = [...this.topics.values()].map((entry) => entry.item);
    // Only when membership changed: re-inserting a focused element would drop the focus.
    const current = Array.from(this.elements.list.children);
    if (current.length !== items.length || current.some((child, index) => child !== items[index])) {
      this.elements.list.replaceChildren(...items);
    }
    this.elements.empty.hidden = this.topics.size > 0;
    this.elements.suggestions.replaceChildren(
      ...this.list().map((topic) => element('option', { attributes: { value: topic } })),
    );
  }
}

function loadTopics(): string[] {
  try {
    const stored: unknown = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? '[]');
    return Array.isArray(stored) ? stored.filter((topic): topic is string => typeof topic === 'string') : [];
  } catch {
    return [];
  }
}
