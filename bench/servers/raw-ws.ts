import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import { hostServer } from './host.ts';

/**
 * Baseline: the smallest pub/sub server one would write with `ws`, speaking topicsocket's JSON protocol.
 * It serializes each message once and calls `ws.send` per subscriber (ws frames it per subscriber); no
 * validation, no limits, no buffer bounds.
 */
interface Frame {
  type?: unknown;
  topic?: unknown;
  data?: unknown;
  id?: unknown;
}

hostServer(async () => {
  const topics = new Map<string, Set<WebSocket>>();
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  wss.on('connection', (ws) => {
    const mine = new Set<string>();
    ws.on('message', (raw) => {
      const frame = JSON.parse(String(raw)) as Frame;
      if (typeof frame.topic !== 'string') return;
      const topic = frame.topic;
      if (frame.type === 'subscribe') {
        let subscribers = topics.get(topic);
        if (!subscribers) {
          subscribers = new Set();
          topics.set(topic, subscribers);
        }
        subscribers.add(ws);
        mine.add(topic);
        if (frame.id !== undefined) ws.send(JSON.stringify({ type: 'subscribed', topic, id: frame.id }));
      } else if (frame.type === 'publish') {
        const out = JSON.stringify({ type: 'message', topic, data: frame.data });
        for (const subscriber of topics.get(topic) ?? []) {
          if (subscriber.readyState === subscriber.OPEN) subscriber.send(out);
        }
      }
    });
    ws.on('close', () => {
      for (const topic of mine) {
        const subscribers = topics.get(topic);
        subscribers?.delete(ws);
        if (subscribers?.size === 0) topics.delete(topic);
      }
    });
  });
  await new Promise<void>((resolve) => wss.on('listening', resolve));
  return {
    port: (wss.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => wss.close(() => resolve())),
  };
});
