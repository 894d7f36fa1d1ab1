import { startLocalServer } from '../../src/runtimes/local/index.ts';
import { hostServer } from './host.ts';

/**
 * topicsocket's local server as shipped (API Gateway emulator + Broker + MemoryStore), silent. The
 * per-connection publish rate limit and the per-IP connection cap are off: the benchmark's publisher stands
 * for a backend, and all of its clients share one address.
 */
hostServer(async () => {
  const server = await startLocalServer({
    port: 0,
    host: '127.0.0.1',
    brokerLimits: { publishRate: false },
    // Every benchmark client connects from 127.0.0.1.
    limits: { maxConnectionsPerIp: 0 },
  });
  return { port: server.port, close: () => server.close() };
});
