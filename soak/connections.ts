/**
 * Soak 1: N WebSocket connections held open for a while on the local server (a child process, so client
 * and server file descriptors are in different processes), every one of them answering pings at the
 * start and at the end. Counts drops (any close before the end) and refused connects.
 */

import { startChild } from './lib/children.ts';
import { FramesClient, inBatches, rssMiB } from './lib/frames-client.ts';

export interface ConnectionsOptions {
  connections: number;
  holdSeconds: number;
  /** Concurrent connects while opening. */
  openConcurrency?: number;
}

export interface ConnectionsResult {
  connections: number;
  holdSeconds: number;
  opened: number;
  refused: number;
  dropped: number;
  pongsAtStart: number;
  pongsAtEnd: number;
  openSeconds: number;
  serverRssMiB: number;
}

export async function soakConnections(options: ConnectionsOptions): Promise<ConnectionsResult> {
  const { child, match } = await startChild(
    ['soak/lib/hold-server.ts', String(options.connections + 10)],
    /\{"port":(\d+)\}/,
  );
  const clients: FramesClient[] = [];
  try {
    const url = `ws://127.0.0.1:${match[1]}`;
    const started = Date.now();
    let refused = 0;
    await inBatches(
      Array.from({ length: options.connections }, (_, i) => i),
      options.openConcurrency ?? 200,
      async () => {
        try {
          clients.push(await FramesClient.open(url));
        } catch {
          refused++;
        }
      },
    );
    const openSeconds = (Date.now() - started) / 1000;
    const holdStart = Date.now();
    const pongs = async () =>
      (await inBatches(clients, 500, (client) => client.request({ type: 'ping' }))).filter(
        (reply) => reply.type === 'pong',
      ).length;
    const pongsAtStart = await pongs();
    // Held: the sockets sit idle (well under the 10-minute idle timeout) while the clock runs.
    const remaining = options.holdSeconds * 1000 - (Date.now() - holdStart);
    if (remaining > 0) await new Promise((resolve) => setTimeout(resolve, remaining));
    const pongsAtEnd = await pongs();
    const serverRssMiB = rssMiB(child.process.pid ?? 0);
    const dropped = clients.filter((client) => client.closedAt !== undefined).length;
    return {
      connections: options.connections,
      holdSeconds: options.holdSeconds,
      opened: clients.length,
      refused,
      dropped,
      pongsAtStart,
      pongsAtEnd,
      openSeconds,
      serverRssMiB,
    };
  } finally {
    await inBatches(clients, 500, (client) => client.close());
    await child.stop();
  }
}
