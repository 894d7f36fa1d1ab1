import { parseArgs } from 'node:util';
import {
  createClient,
  isConnectRefusedError,
  isTopicsocketError,
  type TopicsocketClient,
  type TopicsocketError,
  type WebSocketConstructor,
} from '@topicsocket/client';
import { WebSocket } from 'ws';
import { DEFAULT_HOST, DEFAULT_PORT } from '../../runtimes/local/defaults.ts';
import { CliFailure } from '../failures.ts';
import { type CliIo, type Command, ExitCodes, UsageError } from '../io.ts';
import { resolvePort } from '../port.ts';

const usage = `Usage: topicsocket subscribe TOPIC [options]

Subscribes with the client SDK and prints every message as one JSON line until stopped (Ctrl-C).
Reconnects on its own after a lost connection; exits 1 with one line when the server refuses the
connection (bad token, wrong URL) or nothing answers the first attempt.

Options:
  --url URL      WebSocket URL (default ws://${DEFAULT_HOST}:$PORT or ${DEFAULT_PORT})
  --token JWT    token for the connection (default $TOPICSOCKET_TOKEN)
  -h, --help     show this help`;

export const subscribeCommand: Command = {
  name: 'subscribe',
  summary: 'print the messages of a topic as JSON lines',
  usage,
  async run(args: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseArgs({
      args,
      strict: true,
      allowPositionals: true,
      options: {
        url: { type: 'string' },
        token: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) {
      io.out(usage);
      return ExitCodes.ok;
    }
    const [topic, ...extra] = positionals;
    if (topic === undefined || extra.length > 0) throw new UsageError('expected exactly one TOPIC');
    const url = values.url ?? `ws://${DEFAULT_HOST}:${resolvePort(undefined, io.env)}`;
    const token = values.token ?? io.env.TOPICSOCKET_TOKEN;
    let client: TopicsocketClient;
    try {
      client = createClient({
        url,
        WebSocket: WebSocket as unknown as WebSocketConstructor,
        ...(token ? { token } : {}),
      });
    } catch (error) {
      throw new UsageError(
        error instanceof Error ? error.message.replace(/^createClient: /, '') : String(error),
      );
    }
    try {
      const subscription = client.subscribe(topic, (message) => io.out(JSON.stringify(message)));
      const refused = subscription.ready.then(
        () => {
          io.err(`subscribed to ${topic}`);
          return new Promise<never>(() => {});
        },
        (error: unknown) => error,
      );
      const outcome = await Promise.race([refused, connectFailure(client, url, io), io.untilStopped()]);
      if (typeof outcome === 'string') return ExitCodes.ok;
      if (outcome instanceof CliFailure) throw outcome;
      const code = isTopicsocketError(outcome) ? outcome.code : 'error';
      throw new CliFailure(`${code}: ${outcome instanceof Error ? outcome.message : String(outcome)}`);
    } finally {
      await client.close();
    }
  },
};

/**
 * Settles with a failure to report when connecting cannot succeed as things are: a refusal retrying cannot
 * fix (bad token, wrong URL), or no server at all before the first connection. Transient trouble (429, 5xx,
 * a lost connection after the first) is said once per cause on stderr and retried.
 */
function connectFailure(client: TopicsocketClient, url: string, io: CliIo): Promise<CliFailure> {
  return new Promise((resolve) => {
    let connected = false;
    let said = '';
    client.on('state', (change) => {
      if (change.state === 'connected') {
        connected = true;
        said = '';
        return;
      }
      if (change.state === 'closed' && change.reason !== 'client_close') {
        // The server ended it for good (`disconnect` with reconnect: false, e.g. `policy`).
        resolve(
          new CliFailure(`the server closed the connection for good (${change.reason ?? change.code})`),
        );
        return;
      }
      const error = change.error;
      if (!error) return;
      if (change.state === 'refused') {
        resolve(new CliFailure(refusalLine(error, url)));
        return;
      }
      if (!connected && error.code === 'connect_failed') {
        resolve(
          new CliFailure(
            `${error.message} (is the server running, e.g. npx topicsocket dev, and is --url right?)`,
          ),
        );
        return;
      }
      const line = `${describeRefusal(error)}; retrying`;
      if (line !== said) io.err(`topicsocket subscribe: ${line}`);
      said = line;
    });
  });
}

function describeRefusal(error: TopicsocketError): string {
  return isConnectRefusedError(error)
    ? `${error.status} ${error.code}: ${error.serverMessage}`
    : error.message;
}

function refusalLine(error: TopicsocketError, url: string): string {
  const fix =
    error.code === 'not_found'
      ? `nothing takes WebSocket connections at ${url}: --url must be the WebSocket URL topicsocket dev prints`
      : 'pass a valid token with --token JWT or TOPICSOCKET_TOKEN';
  return `connection refused: ${describeRefusal(error)} (${fix})`;
}
