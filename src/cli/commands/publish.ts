import { parseArgs } from 'node:util';
import type { JsonValue } from '../../protocol/index.ts';
import { DEFAULT_HOST, DEFAULT_PORT } from '../../runtimes/local/defaults.ts';
import { type CliIo, type Command, ExitCodes, UsageError } from '../io.ts';

const usage = `Usage: topicsocket publish TOPIC DATA [options]

Publishes one message through the server-side publish API (POST /publish). DATA is sent as JSON when it
parses as JSON, otherwise as a string.

Options:
  --url URL              the server's HTTP base URL (default http://${DEFAULT_HOST}:$PORT or ${DEFAULT_PORT}; on AWS the HTTP API URL)
  --api-key KEY          API key (default $TOPICSOCKET_API_KEY)
  --token JWT            bearer token instead of an API key (default $TOPICSOCKET_TOKEN)
  --idempotency-key KEY  a retry with the same key is not published twice
  -h, --help             show this help`;

export const publishCommand: Command = {
  name: 'publish',
  summary: 'publish a message through POST /publish',
  usage,
  async run(args: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseArgs({
      args,
      strict: true,
      allowPositionals: true,
      options: {
        url: { type: 'string' },
        'api-key': { type: 'string' },
        token: { type: 'string' },
        'idempotency-key': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) {
      io.out(usage);
      return ExitCodes.ok;
    }
    const [topic, raw, ...extra] = positionals;
    if (topic === undefined || raw === undefined || extra.length > 0) {
      throw new UsageError('expected exactly TOPIC and DATA');
    }
    const base = values.url ?? `http://${DEFAULT_HOST}:${io.env.PORT ?? DEFAULT_PORT}`;
    const apiKey = values['api-key'] ?? io.env.TOPICSOCKET_API_KEY;
    const token = values.token ?? io.env.TOPICSOCKET_TOKEN;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (apiKey) headers['x-api-key'] = apiKey;
    else if (token) headers.authorization = `Bearer ${token}`;
    const body = {
      topic,
      data: parseData(raw),
      ...(values['idempotency-key'] ? { idempotencyKey: values['idempotency-key'] } : {}),
    };
    const response = await post(new URL('publish', base.endsWith('/') ? base : `${base}/`), headers, body);
    if (response.status < 200 || response.status > 299) {
      io.err(`topicsocket publish: ${response.status} ${response.text}`);
      return ExitCodes.failed;
    }
    io.out(response.text);
    return ExitCodes.ok;
  },
};

function parseData(raw: string): JsonValue {
  try {
    return JSON.parse(raw) as JsonValue;
  } catch {
    return raw;
  }
}

/**
 * One POST with node:http(s) and no keep-alive, rather than `fetch`: a one-shot command should exit as soon
 * as it has its answer, and fetch's first use loads undici and then keeps the process alive for its idle
 * socket, a few hundred ms here (bench/extras/cli-startup.ts).
 */
async function post(
  url: URL,
  headers: Record<string, string>,
  body: unknown,
): Promise<{ status: number; text: string }> {
  const { request } = url.protocol === 'https:' ? await import('node:https') : await import('node:http');
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const outgoing = request(
      url,
      { method: 'POST', headers: { ...headers, 'content-length': Buffer.byteLength(payload) }, agent: false },
      (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('error', reject);
        incoming.on('end', () =>
          resolve({ status: incoming.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
      },
    );
    outgoing.on('error', reject);
    outgoing.end(payload);
  });
}
