import { parseArgs } from 'node:util';
import { createClient, isTopicsocketError, type WebSocketConstructor } from '@topicsocket/client';
import { WebSocket } from 'ws';
import { DEFAULT_HOST, DEFAULT_PORT } from '../../runtimes/local/defaults.ts';
import { type CliIo, type Command, ExitCodes, UsageError } from '../io.ts';

const usage = `Usage: topicsocket subscribe TOPIC [options]

Subscribes with the client SDK and prints every message as one JSON line until stopped (Ctrl-C).

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
    const url = values.url ?? `ws://${DEFAULT_HOST}:${io.env.PORT ?? DEFAULT_PORT}`;
    const token = values.token ?? io.env.TOPICSOCKET_TOKEN;
    const client = createClient({
      url,
      WebSocket: WebSocket as unknown as WebSocketConstructor,
      ...(token ? { token } : {}),
    });
    try {
      const subscription = client.subscribe(topic, (message) => io.out(JSON.stringify(message)));
      const refused = subscription.ready.then(
        () => {
          io.err(`subscribed to ${topic}`);
          return new Promise<never>(() => {});
        },
        (error: unknown) => error,
      );
      const outcome = await Promise.race([refused, io.untilStopped()]);
      if (typeof outcome === 'string') return ExitCodes.ok;
      const code = isTopicsocketError(outcome) ? outcome.code : 'error';
      io.err(
        `topicsocket subscribe: ${code}: ${outcome instanceof Error ? outcome.message : String(outcome)}`,
      );
      return ExitCodes.failed;
    } finally {
      await client.close();
    }
  },
};
