/**
 * A raw `ws` client for the soak: it counts every frame, matches replies to requests by `id`, and records
 * when and how its socket closed. No reconnects: a soak must see every drop.
 */
import { readFileSync } from 'node:fs';
import WebSocket from 'ws';

export interface Frame {
  type: string;
  id?: number | string;
  [field: string]: unknown;
}

export class FramesClient {
  readonly messages: Frame[] = [];
  closedAt: number | undefined;
  closeCode: number | undefined;
  /** Requests never answered within their timeout. */
  timeouts = 0;
  private nextId = 1;
  private readonly pending = new Map<number, (frame: Frame) => void>();
  private readonly listeners = new Set<(frame: Frame) => void>();

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const frame = JSON.parse(String(data)) as Frame;
      const waiter = typeof frame.id === 'number' ? this.pending.get(frame.id) : undefined;
      if (waiter && frame.type !== 'message') {
        this.pending.delete(frame.id as number);
        waiter(frame);
      } else if (frame.type === 'message') this.messages.push(frame);
      for (const listener of this.listeners) listener(frame);
    });
    socket.on('close', (code) => {
      this.closedAt = Date.now();
      this.closeCode = code;
      for (const waiter of this.pending.values()) waiter({ type: 'closed', code });
      this.pending.clear();
    });
    socket.on('error', () => {});
  }

  static open(url: string, timeoutMs = 30_000): Promise<FramesClient> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, { handshakeTimeout: timeoutMs });
      socket.once('open', () => resolve(new FramesClient(socket)));
      socket.once('error', reject);
      socket.once('unexpected-response', (_request, response) =>
        reject(new Error(`upgrade refused: ${response.statusCode}`)),
      );
    });
  }

  get open(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  /**
   * Sends `frame` with a fresh id and resolves with the reply carrying that id, `{type:"closed"}` when the
   * socket closes first, or `{type:"timeout"}` after `timeoutMs` (a frame never answered is a finding).
   */
  request(frame: Omit<Frame, 'id'>, timeoutMs = 60_000): Promise<Frame> {
    const id = this.nextId++;
    if (!this.open) return Promise.resolve({ type: 'closed', code: this.closeCode });
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        this.timeouts++;
        resolve({ type: 'timeout' });
      }, timeoutMs);
      this.pending.set(id, (reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
      this.socket.send(JSON.stringify({ ...frame, id }));
    });
  }

  /** Resolves once `predicate` holds for the messages received so far. */
  waitFor(predicate: (messages: Frame[]) => boolean, timeoutMs: number): Promise<boolean> {
    if (predicate(this.messages)) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.listeners.delete(check);
        resolve(false);
      }, timeoutMs);
      const check = () => {
        if (!predicate(this.messages)) return;
        clearTimeout(timer);
        this.listeners.delete(check);
        resolve(true);
      };
      this.listeners.add(check);
    });
  }

  close(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.close(1000);
      setTimeout(() => this.socket.terminate(), 2_000).unref();
    });
  }
}

/** Runs `task` over `items` with at most `limit` at a time. */
export async function inBatches<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await task(items[index] as T);
      }
    }),
  );
  return results;
}

/** Resident set size of a process, from /proc (Linux). */
export function rssMiB(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    return Math.round(kib / 1024);
  } catch {
    return 0;
  }
}
