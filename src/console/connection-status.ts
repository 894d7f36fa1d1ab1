import { isConnectRefusedError, type StateChange } from '../client/index.ts';
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

/** One line: the state, why (the server's refusal when there is one), and when the next attempt is. */
export function describe(change: StateChange | { state: 'idle' }): string {
  if (change.state === 'idle') return 'Not connected';
  if (change.state === 'connected') return 'Connected';
  if (change.state === 'closed')
    return change.reason && change.reason !== 'client_close' ? `Closed (${change.reason})` : 'Disconnected';
  const error = change.error;
  if (change.state === 'refused') {
    const status = isConnectRefusedError(error) ? `${error.status} ` : '';
    return `Refused (${status}${error?.code ?? change.reason}): ${refusalHint(error)}`;
  }
  const verb = change.state === 'reconnecting' ? 'Reconnecting' : 'Connecting';
  const why = isConnectRefusedError(error)
    ? `${error.status} ${error.code}: ${error.serverMessage}`
    : error?.code === 'connect_failed'
      ? // A browser hides the handshake's status: a refusal (bad token) looks like a server that is down.
        `server unreachable or connection refused (a browser cannot tell which; check the URL and token), ${change.code ?? 1006}`
      : [change.reason, change.code].filter((part) => part !== undefined && part !== '').join(', ');
  const retry = change.delayMs !== undefined ? ` · retry in ${seconds(change.delayMs)}` : '';
  return `${verb}…${why ? ` (${why})` : ''}${retry}`;
}

/** What to do about a refusal retrying cannot fix. */
function refusalHint(error: StateChange['error']): string {
  if (error?.code === 'not_found') return 'nothing takes WebSockets at this URL; check it';
  const message = isConnectRefusedError(error) ? error.serverMessage : (error?.message ?? '');
  return `${message}; set a valid token and connect again`;
}
