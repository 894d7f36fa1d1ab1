import { io, type Socket } from 'socket.io-client';
import WebSocket from 'ws';
import type { ServerKind } from '../ipc.ts';
import { type BenchData, benchData, benchDataJson, readDelivery } from './payload.ts';

export type OnDelivery = (seq: number, sentAtMicros: number) => void;

/** One load-generator connection, whatever the server's protocol. */
export interface BenchClient {
  /** Subscribes to every topic and resolves once all are acknowledged. */
  subscribe(topics: readonly string[]): Promise<void>;
  publish(topic: string, seq: number, sentAtMicros: number, payloadBytes: number): void;
  /** Stops reading from the socket: the slow consumer. */
  pause(): void;
  /** Reads again (a paused client cannot notice that the server closed it). */
  resume(): void;
  readonly disconnected: boolean;
  close(): void;
}

export function connectClient(kind: ServerKind, url: string, onDelivery: OnDelivery): Promise<BenchClient> {
  return kind === 'socketio' ? SocketIoClient.connect(url, onDelivery) : JsonClient.connect(url, onDelivery);
}

/** topicsocket's JSON protocol over `ws` (the raw `ws` baseline speaks it too). */
class JsonClient implements BenchClient {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
  disconnected = false;

  private constructor(private readonly ws: WebSocket) {}

  static connect(url: string, onDelivery: OnDelivery): Promise<BenchClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { perMessageDeflate: false, skipUTF8Validation: true });
      const client = new JsonClient(ws);
      ws.on('message', (raw: Buffer) => {
        const delivery = readDelivery(raw);
        if (delivery) onDelivery(delivery.seq, delivery.sentAtMicros);
        else client.control(raw);
      });
      ws.once('open', () => resolve(client));
      ws.once('error', reject);
      ws.on('close', () => {
        client.disconnected = true;
        for (const waiter of client.pending.values()) waiter.reject(new Error('connection closed'));
        client.pending.clear();
      });
    });
  }

  async subscribe(topics: readonly string[]): Promise<void> {
    await Promise.all(
      topics.map(
        (topic) =>
          new Promise<void>((resolve, reject) => {
            const id = this.nextId++;
            this.pending.set(id, { resolve, reject });
            this.ws.send(JSON.stringify({ type: 'subscribe', topic, id }));
          }),
      ),
    );
  }

  publish(topic: string, seq: number, sentAtMicros: number, payloadBytes: number): void {
    const data = benchDataJson(seq, sentAtMicros, payloadBytes);
    this.ws.send(`{"type":"publish","topic":${JSON.stringify(topic)},"data":${data}}`);
  }

  pause(): void {
    this.ws.pause();
  }

  resume(): void {
    this.ws.resume();
  }

  close(): void {
    this.ws.terminate();
  }

  private control(raw: Buffer): void {
    const frame = JSON.parse(raw.toString()) as {
      type?: string;
      id?: number;
      code?: string;
      message?: string;
    };
    const waiter = frame.id === undefined ? undefined : this.pending.get(frame.id);
    if (frame.type === 'error') {
      const error = new Error(`server error ${frame.code}: ${frame.message}`);
      if (waiter) waiter.reject(error);
      else console.error(error.message);
    } else if (waiter) {
      waiter.resolve();
    }
    if (frame.id !== undefined) this.pending.delete(frame.id);
  }
}

/** Socket.IO client, WebSocket transport only, no reconnection. */
class SocketIoClient implements BenchClient {
  disconnected = false;

  private constructor(private readonly socket: Socket) {}

  static connect(url: string, onDelivery: OnDelivery): Promise<BenchClient> {
    return new Promise((resolve, reject) => {
      const socket = io(url.replace(/^ws/, 'http'), {
        transports: ['websocket'],
        forceNew: true,
        reconnection: false,
      });
      const client = new SocketIoClient(socket);
      socket.on('message', (frame: { data: BenchData }) => onDelivery(frame.data.s, frame.data.t));
      socket.once('connect', () => resolve(client));
      socket.once('connect_error', reject);
      socket.on('disconnect', () => {
        client.disconnected = true;
      });
    });
  }

  async subscribe(topics: readonly string[]): Promise<void> {
    await Promise.all(topics.map((topic) => this.socket.emitWithAck('subscribe', topic)));
  }

  publish(topic: string, seq: number, sentAtMicros: number, payloadBytes: number): void {
    this.socket.emit('publish', topic, benchData(seq, sentAtMicros, payloadBytes));
  }

  pause(): void {
    this.transportSocket().pause();
  }

  resume(): void {
    this.transportSocket().resume();
  }

  /** engine.io-client keeps its `ws` WebSocket on the transport; pausing it stops reading the TCP socket. */
  private transportSocket(): WebSocket {
    const transport = this.socket.io.engine.transport as unknown as { ws?: WebSocket };
    if (!transport.ws) throw new Error('socket.io transport has no ws socket to pause');
    return transport.ws;
  }

  close(): void {
    this.socket.disconnect();
  }
}
