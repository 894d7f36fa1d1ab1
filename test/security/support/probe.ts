import { WebSocket } from 'ws';

export type Frame = Record<string, unknown>;

/** How a connection attempt ended: open (with the accepted subprotocol) or refused with a status and body. */
export type Attempt = { open: true; client: Probe } | { open: false; status: number; body: string };

/**
 * A raw `ws` client for security tests: records every frame, can await the next one, and reports a refused
 * handshake with its HTTP status and body instead of throwing.
 */
export class Probe {
  readonly frames: Frame[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private waiters: Array<{ match: (frame: Frame) => boolean; resolve: (frame: Frame) => void }> = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as Frame;
      this.frames.push(frame);
      const waiter = this.waiters.find((candidate) => candidate.match(frame));
      if (waiter) {
        this.waiters = this.waiters.filter((candidate) => candidate !== waiter);
        waiter.resolve(frame);
      }
    });
    this.closed = new Promise((resolve) =>
      ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })),
    );
    ws.on('error', () => {});
  }

  static attempt(url: string, protocols?: string[]): Promise<Attempt> {
    const ws = new WebSocket(url, protocols, { perMessageDeflate: false });
    return new Promise((resolve) => {
      ws.once('open', () => resolve({ open: true, client: new Probe(ws) }));
      ws.once('unexpected-response', (_request, response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => {
          body += chunk.toString();
        });
        response.on('end', () => resolve({ open: false, status: response.statusCode ?? 0, body }));
      });
      ws.once('error', (error) => resolve({ open: false, status: 0, body: error.message }));
    });
  }

  static async open(url: string, protocols?: string[]): Promise<Probe> {
    const attempt = await Probe.attempt(url, protocols);
    if (!attempt.open) throw new Error(`connection refused: ${attempt.status} ${attempt.body}`);
    return attempt.client;
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** The first frame (already received or still to come) that matches. */
  waitFor(match: (frame: Frame) => boolean, timeoutMs = 5_000): Promise<Frame> {
    const seen = this.frames.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('expected frame not received')), timeoutMs);
      this.waiters.push({
        match,
        resolve: (frame) => {
          clearTimeout(timer);
          resolve(frame);
        },
      });
    });
  }

  /** Sends a frame with `id` and resolves with the reply carrying that id. */
  request(frame: Frame & { id: string | number }): Promise<Frame> {
    const reply = this.waitFor((candidate) => candidate.id === frame.id);
    this.send(frame);
    return reply;
  }

  messages(topic?: string): Frame[] {
    return this.frames.filter(
      (frame) => frame.type === 'message' && (topic === undefined || frame.topic === topic),
    );
  }

  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    this.ws.close();
    await this.closed;
  }
}
