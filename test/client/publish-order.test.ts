import { afterEach, describe, expect, it } from 'vitest';
import { createClient, type TopicsocketClient } from '../../src/client/index.ts';
import type { WebSocketLike } from '../../src/client/websocket.ts';
import { nextEvent } from './support/events.ts';

/** A socket that opens at once and records what the client sends; the test answers by hand. */
class RecordingSocket implements WebSocketLike {
  static last: RecordingSocket | undefined;
  readyState = 0;
  readonly sent: Array<{ type: string; topic?: string; data?: unknown; id?: number }> = [];
  onopen: ((event: never) => void) | null = null;
  onmessage: ((event: never) => void) | null = null;
  onclose: ((event: never) => void) | null = null;
  onerror: ((event: never) => void) | null = null;

  constructor(_url: string) {
    RecordingSocket.last = this;
    queueMicrotask(() => {
      this.readyState = 1;
      this.onopen?.({} as never);
    });
  }
  send(data: string): void {
    this.sent.push(JSON.parse(data));
  }
  close(code = 1000, reason = ''): void {
    this.readyState = 3;
    this.onclose?.({ code, reason } as never);
  }
  answer(frame: unknown): void {
    this.onmessage?.({ data: JSON.stringify(frame) } as never);
  }
  publishes(topic: string): unknown[] {
    return this.sent.filter((f) => f.type === 'publish' && f.topic === topic).map((f) => f.data);
  }
}

describe('client publish order', () => {
  let client: TopicsocketClient | undefined;
  afterEach(() => client?.close());

  const connect = async (publishOrder?: 'serial' | 'pipelined') => {
    client = createClient({
      url: 'ws://test.invalid',
      WebSocket: RecordingSocket,
      ...(publishOrder ? { publishOrder } : {}),
    });
    await nextEvent(client, 'state', (change) => change.state === 'connected');
    return { client, socket: RecordingSocket.last as RecordingSocket };
  };

  it('sends one publish per topic at a time by default, each after the previous ack, in call order', async () => {
    const { client, socket } = await connect();
    const acks = [1, 2, 3].map((n) => client.publish('a', n));
    const other = client.publish('b', 'x');
    // One in flight per topic; other topics are not held up.
    expect(socket.publishes('a')).toEqual([1]);
    expect(socket.publishes('b')).toEqual(['x']);
    for (const n of [1, 2, 3]) {
      const frame = socket.sent.filter((f) => f.type === 'publish' && f.topic === 'a').at(-1);
      expect(frame?.data).toBe(n);
      socket.answer({ type: 'published', topic: 'a', id: frame?.id, offset: n, epoch: 'e' });
      await acks[n - 1];
    }
    expect(socket.publishes('a')).toEqual([1, 2, 3]);
    // A refused publish releases the next one too.
    const refused = client.publish('b', 'y');
    const [bFirst] = socket.sent.filter((f) => f.topic === 'b');
    socket.answer({ type: 'error', code: 'forbidden', message: 'no', retryable: false, id: bFirst?.id });
    await expect(other).rejects.toMatchObject({ code: 'forbidden' });
    expect(socket.publishes('b')).toEqual(['x', 'y']);
    const second = socket.sent.filter((f) => f.topic === 'b').at(-1);
    socket.answer({ type: 'published', topic: 'b', id: second?.id });
    await expect(refused).resolves.toEqual({ topic: 'b' });
  });

  it('sends them all at once with publishOrder: pipelined', async () => {
    const { client, socket } = await connect('pipelined');
    for (const n of [1, 2, 3]) void client.publish('a', n).catch(() => {});
    expect(socket.publishes('a')).toEqual([1, 2, 3]);
  });
});
