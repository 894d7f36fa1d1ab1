/**
 * An HTTP proxy in front of DynamoDB Local that adds a fixed latency to every request (5 ms by default:
 * a DynamoDB round trip from Lambda in the same Region), so serial requests cost what they cost on AWS.
 * Counts requests by operation (`X-Amz-Target`).
 */
import { Agent, createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LatencyProxy {
  endpoint: string;
  /** Requests seen, by DynamoDB operation (GetItem, Query, ...). */
  byOperation: Map<string, number>;
  close(): Promise<void>;
}

export async function startLatencyProxy(target: string, latencyMs = 5): Promise<LatencyProxy> {
  const upstream = new URL(target);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const byOperation = new Map<string, number>();
  const server: Server = createServer((incoming, outgoing) => {
    const operation =
      String(incoming.headers['x-amz-target'] ?? '')
        .split('.')
        .pop() ?? '';
    byOperation.set(operation, (byOperation.get(operation) ?? 0) + 1);
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      setTimeout(() => {
        const forward = request(
          {
            agent,
            hostname: upstream.hostname,
            port: upstream.port,
            method: incoming.method,
            path: incoming.url,
            headers: { ...incoming.headers, host: upstream.host },
          },
          (answer) => {
            outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(outgoing);
          },
        );
        forward.once('error', (error) => {
          outgoing.writeHead(502).end(String(error));
        });
        forward.end(Buffer.concat(chunks));
      }, latencyMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    byOperation,
    async close() {
      server.closeAllConnections();
      agent.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
