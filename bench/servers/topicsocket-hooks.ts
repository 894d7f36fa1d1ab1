import { startLocalServer } from '../../src/runtimes/local/index.ts';
import { hostServer } from './host.ts';

/**
 * The `topicsocket` server (./topicsocket.ts) with a trivial onPublish hook that accepts every message as it
 * is: what a hook costs on the publish path (docs/hooks.md). Not in the default set; compare in one run:
 * `npm run bench -- --quick --only=fanout --servers=topicsocket,topicsocket-hooks`.
 */
hostServer(async () => {
  const server = await startLocalServer({
    port: 0,
    host: '127.0.0.1',
    brokerLimits: { publishRate: false },
    limits: { maxConnectionsPerIp: 0 },
    hooks: {
      onPublish() {
        return undefined;
      },
    },
  });
  return { port: server.port, close: () => server.close() };
});
