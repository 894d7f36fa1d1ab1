import WebSocket from 'ws';
import { type ClientOptions, createClient, type TopicsocketClient } from '../../../src/client/index.ts';
import { nextEvent } from './events.ts';

/** Short settings so reconnect tests run in milliseconds; each test overrides what it exercises. */
export const fastOptions = {
  WebSocket,
  reconnect: { minDelayMs: 20, maxDelayMs: 200 },
  ackTimeoutMs: 3_000,
  connectTimeoutMs: 3_000,
} satisfies Partial<ClientOptions>;

/** Tracks every client a test creates so `closeAll` can release them even when the test failed. */
export class Clients {
  private readonly created: TopicsocketClient[] = [];

  create(options: ClientOptions): TopicsocketClient {
    const client = createClient({ ...fastOptions, ...options });
    this.created.push(client);
    return client;
  }

  /** Creates a client and waits until it is connected. */
  async connected(options: ClientOptions): Promise<TopicsocketClient> {
    const client = this.create(options);
    if (client.state !== 'connected')
      await nextEvent(client, 'state', (change) => change.state === 'connected');
    return client;
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.created.splice(0).map((client) => client.close()));
  }
}
