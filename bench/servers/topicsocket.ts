import { startLocalServer } from '../../src/runtimes/local/index.ts';
import { hostServer } from './host.ts';

/**
 * topicsocket's local server as shipped (API Gateway emulator + Broker + MemoryStore), silent. The
 * per-connection publish rate limit is off: the benchmark's publisher stands for a backend, not a client.
 */
hostServer(async () => {
  const server = await startLocalServer({ port: 0, host: '127.0.0.1', brokerLimits: { publishRate: false } });
  return { port: server.port, close: () => server.close() };
});
