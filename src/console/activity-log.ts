import { element, trimChildren } from './dom.ts';
import { clockTime } from './format.ts';

export type ActivityKind = 'info' | 'ok' | 'warn' | 'error';

const MAX_ENTRIES = 100;

/** What happened to the connection (states, reconnects, resubscriptions, errors), newest first. */
export class ActivityLog {
  constructor(private readonly list: HTMLOListElement) {}

  add(kind: ActivityKind, text: string): void {
    const item = element(
      'li',
      { className: `activity-item ${kind}` },
      element('time', { text: clockTime(new Date()) }),
      element('span', { text }),
    );
    this.list.prepend(item);
    trimChildren(this.list, MAX_ENTRIES);
  }
}
