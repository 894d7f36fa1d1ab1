import type { DisplayState } from './connection-status.ts';

/**
 * Connect and Disconnect follow the connection: Connect only while there is nothing to connect (idle or
 * closed; to switch URL or token, disconnect first), Disconnect only while there is something to end.
 */
export class ConnectButtons {
  constructor(
    private readonly connect: HTMLButtonElement,
    private readonly disconnect: HTMLButtonElement,
  ) {}

  show(state: DisplayState): void {
    const active = state === 'connecting' || state === 'connected' || state === 'reconnecting';
    this.connect.disabled = active;
    this.disconnect.disabled = !active;
  }
}
