import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy between a client and a server, to break the network on purpose: `dropAll()` destroys every
 * piped connection (a dropped TCP connection), `freeze()` keeps them open but stops forwarding (a dead
 * socket: nothing arrives, nothing fails), `refuse` makes new connections fail at once.
 */
export class TcpProxy {
  /** When true, new connections are destroyed as soon as they are accepted. */
  refuse = false;
  /** Connections accepted so far. */
  accepted = 0;
  private readonly server: Server;
  private readonly pairs = new Set<{ client: Socket; upstream: Socket; frozen: boolean }>();

  private constructor(
    private readonly targetPort: number,
    private readonly targetHost: string,
  ) {
    this.server = createServer((client) => this.onConnection(client));
  }

  static async start(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
    const proxy = new TcpProxy(targetPort, targetHost);
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get url(): string {
    return `ws://127.0.0.1:${this.port}`;
  }

  /** Piped connections currently open. */
  get open(): number {
    return this.pairs.size;
  }

  dropAll(): void {
    for (const pair of this.pairs) {
      pair.client.destroy();
      pair.upstream.destroy();
    }
  }

  /** Stops forwarding on every current connection, without closing anything. */
  freeze(): void {
    for (const pair of this.pairs) pair.frozen = true;
  }

  async close(): Promise<void> {
    this.dropAll();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private onConnection(client: Socket): void {
    this.accepted++;
    if (this.refuse) {
      client.destroy();
      return;
    }
    const upstream = connect(this.targetPort, this.targetHost);
    const pair = { client, upstream, frozen: false };
    this.pairs.add(pair);
    const forward = (from: Socket, to: Socket) =>
      from.on('data', (chunk: Buffer) => {
        if (!pair.frozen) to.write(chunk);
      });
    forward(client, upstream);
    forward(upstream, client);
    const end = () => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    for (const socket of [client, upstream]) {
      socket.on('error', end);
      socket.on('close', end);
    }
  }
}
