/**
 * A token that expires mid-connection: the server says `token_expired` and closes; the client SDK gets a
 * fresh token through `getToken`, reconnects and resubscribes, and messages flow again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import {
  createClient,
  type Message,
  type StateChange,
  type WebSocketConstructor,
} from '../../src/client/index.ts';
import { JwtVerifier } from '../../src/core/auth/index.ts';
import { type LocalServer, startLocalServer } from '../../src/runtimes/local/index.ts';
import { hsToken, SECRET } from './support/tokens.ts';

describe('security: token expiry and refresh with the client SDK', () => {
  let server: LocalServer;

  beforeAll(async () => {
    server = await startLocalServer({
      port: 0,
      auth: { mode: 'required', verifier: new JwtVerifier({ secret: SECRET, clockToleranceSeconds: 0 }) },
    });
  });
  afterAll(() => server?.close());

  it('reconnects with a fresh token after token_expired and keeps receiving', async () => {
    const issued: number[] = [];
    const client = createClient({
      url: server.url,
      WebSocket: WebSocket as unknown as WebSocketConstructor,
      reconnect: { minDelayMs: 10, maxDelayMs: 50 },
      getToken: async () => {
        // The first token lives one second; the next ones ten minutes.
        const lifetime = issued.length === 0 ? 1 : 600;
        issued.push(lifetime);
        return hsToken({ exp: Math.floor(Date.now() / 1000) + lifetime, subscribe: ['feed'] });
      },
    });
    const changes: StateChange[] = [];
    const reconnected = new Promise<void>((resolve) => {
      client.on('state', (change) => {
        changes.push(change);
        if (change.state === 'connected' && change.previous === 'reconnecting') resolve();
      });
    });
    const resubscribed = new Promise<void>((resolve) => {
      client.on('subscribed', (event) => {
        if (event.resubscribed) resolve();
      });
    });
    const received: Message[] = [];
    const firstAfterRefresh = new Promise<void>((resolve) => {
      const subscription = client.subscribe('feed', (message) => {
        received.push(message);
        if (message.data === 'after') resolve();
      });
      void subscription.ready;
    });
    try {
      await reconnected;
      expect(changes.find((change) => change.state === 'reconnecting')).toMatchObject({
        reason: 'token_expired',
      });
      expect(issued).toEqual([1, 600]);
      // Resubscribed on the new connection: a publish now reaches it.
      await resubscribed;
      expect((await server.broker?.publish('feed', 'after'))?.delivered).toBe(1);
      await firstAfterRefresh;
      expect(received.map((message) => message.data)).toContain('after');
    } finally {
      await client.close();
    }
  });
});
