/**
 * Child process of the connections soak: the local server (memory store, no console) with the per-IP cap
 * raised to what the soak opens from loopback. Prints `{"port":N}` once listening; stops on SIGTERM.
 * Usage: node --import tsx soak/lib/hold-server.ts <maxConnectionsPerIp>
 */
import { startLocalServer } from '../../src/runtimes/local/index.ts';

const maxConnectionsPerIp = Number(process.argv[2] ?? 1_000);
const server = await startLocalServer({
  port: 0,
  console: false,
  publishApi: false,
  limits: { maxConnectionsPerIp },
});
process.stdout.write(`${JSON.stringify({ port: server.port })}\n`);
process.once('SIGTERM', () => {
  void server.close().then(() => process.exit(0));
});
