import type { StateChange } from '../client/index.ts';
import { byId } from './dom.ts';
import { clockTime, seconds } from './format.ts';

export type DisplayState = StateChange['state'] | 'idle';

/** The badge in the header: one word for the state, and why and when next, while not connected. */
export class ConnectionStatus {
  private readonly badge = byId('connection-status', HTMLElement);
  private readonly text = byId('connection-status-text', HTMLElement);
  private readonly detail = byId('connection-detail', HTMLElement);
  private connectedSince: Date | undefined;
  private reconnects = 0;

  show(change: StateChange | { state: 'idle' }): void {
    this.badge.dataset.state = change.state;
    this.text.textContent = describe(change);
    if (change.state === 'connected') {
      if ('previous' in change && change.previous === 'reconnecting') this.reconnects += 1;
      this.connectedSince = new Date();
    } else {
      this.connectedSince = undefined;
    }
    this.renderDetail();
  }

  private renderDetail(): void {
    const since = this.connectedSince
      ? ` · connected since ${clockTime(this.connectedSince).slice(0, 8)}`
      : '';
    this.detail.textContent = `Reconnects: ${this.reconnects}${since}`;
  }
}

function describe(change: StateChange | { state: 'idle' }): string {
  if (change.state === 'idle') return 'Not connected';
  if (change.state === 'connected') return 'Connected';
  if (change.state === 'closed')
    return change.reason && change.reason !== 'client_close' ? `Closed (${change.reason})` : 'Disconnected';
  const verb = change.state === 'reconnecting' ? 'Reconnecting' : 'Connecting';
  const why = [change.reason, change.code].filter((part) => part !== undefined && part !== '').join(', ');
  const retry = change.delayMs !== undefined ? ` · retry in ${seconds(change.delayMs)}` : '';
  return `${verb}…${why ? ` (${why})` : ''}${retry}`;
}
