import { type ClientOptions, WebSocket } from 'ws';

export type Frame = Record<string, unknown>;

/**
 * A real `ws` client for the emulator tests: queues every text frame so a test can await the next one, and
 * exposes how the connection ended.
 */
export class TestClient {
  readonly closed: Promise<{ code: number; reason: string }>;
  private readonly inbox: string[] = [];
  private readonly waiters: Array<(text: string) => void> = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      const text = isBinary ? `<binary ${(data as Buffer).length}>` : String(data);
      const waiter = this.waiters.shift();
      if (waiter) waiter(text);
      else this.inbox.push(text);
    });
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => resolve({ code, reason: String(reason) }));
    });
    ws.on('error', () => {});
  }

  static open(url: string, options: ClientOptions = {}, protocols?: string | string[]): Promise<TestClient> {
    const ws = new WebSocket(url, protocols, { perMessageDeflate: false, ...options });
    const client = new TestClient(ws);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(client));
      ws.once('error', reject);
      ws.once('unexpected-response', (_request, response) =>
        reject(Object.assign(new Error(`unexpected response ${response.statusCode}`), { response })),
      );
    });
  }

  /** The next text frame, raw. */
  nextText(timeoutMs = 5_000): Promise<string> {
    const queued = this.inbox.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no frame received in time')), timeoutMs);
      this.waiters.push((text) => {
        clearTimeout(timer);
        resolve(text);
      });
    });
  }

  async next(timeoutMs?: number): Promise<Frame> {
    return JSON.parse(await this.nextText(timeoutMs)) as Frame;
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** Sends a frame and returns the next frame received. */
  async request(frame: unknown): Promise<Frame> {
    this.send(frame);
    return this.next();
  }

  /** Frames received and not yet read. */
  get pending(): number {
    return this.inbox.length;
  }

  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    this.ws.close();
    await this.closed;
  }
}
