import { parseArgs } from 'node:util';
import type { JsonValue } from '../../protocol/index.ts';
import { DEFAULT_HOST, DEFAULT_PORT } from '../../runtimes/local/defaults.ts';
import { CliFailure, reachFailure } from '../failures.ts';
import { type CliIo, type Command, ExitCodes, UsageError } from '../io.ts';
import { resolvePort } from '../port.ts';

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
    const base = values.url ?? `http://${DEFAULT_HOST}:${resolvePort(undefined, io.env)}`;
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
    const endpoint = publishEndpoint(base);
    let response: { status: number; text: string };
    try {
      response = await post(new URL(endpoint), headers, body);
    } catch (error) {
      throw (
        reachFailure(
          error,
          'the publish API',
          endpoint,
          'is the server running (npx topicsocket dev), and is --url its HTTP base URL?',
        ) ?? error
      );
    }
    if (response.status < 200 || response.status > 299)
      throw refusedPublish(response.status, response.text, endpoint);
    io.out(response.text);
    return ExitCodes.ok;
  },
};

/** `POST {base}/publish`; `base` must be the server's HTTP URL (the WebSocket URL is a usual mix-up). */
function publishEndpoint(base: string): string {
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    throw new UsageError(
      `--url must be the server's HTTP base URL, e.g. http://127.0.0.1:3001, not "${base}"`,
    );
  }
  if (url.protocol === 'ws:' || url.protocol === 'wss:') {
    const http = `${url.protocol === 'wss:' ? 'https' : 'http'}:${base.slice(url.protocol.length)}`;
    throw new UsageError(`--url takes the HTTP base URL, not the WebSocket URL: try --url ${http}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`--url must be an http:// or https:// URL, not "${base}"`);
  }
  return new URL('publish', base.endsWith('/') ? base : `${base}/`).toString();
}

/** A refused publish in one line: the status, the server's code and message, and what to do. */
function refusedPublish(status: number, text: string, endpoint: string): CliFailure {
  let code: string | undefined;
  let message = text.trim().slice(0, 300);
  try {
    const body = JSON.parse(text) as { code?: unknown; message?: unknown };
    if (typeof body.code === 'string') code = body.code;
    if (typeof body.message === 'string') message = body.message;
  } catch {
    // Not JSON (a proxy, another server): shown as it came.
  }
  const what = `${status}${code ? ` ${code}` : ''}${message ? `: ${message}` : ''}`;
  const fix = PUBLISH_FIXES[status] ?? (status >= 500 ? 'the server failed; retry, and check its log' : '');
  return new CliFailure(`POST ${endpoint} answered ${what}${fix ? ` (${fix})` : ''}`);
}

const PUBLISH_FIXES: Record<number, string> = {
  401: 'pass --api-key KEY or --token JWT, or set TOPICSOCKET_API_KEY / TOPICSOCKET_TOKEN',
  403: "the credentials do not allow publishing to this topic; check the token's publish claim",
  404: "no publish API at this URL: --url must be the server's HTTP base URL, as topicsocket dev prints it",
  413: 'the message is too large (128 KB at most)',
  429: 'publishing too fast; wait and retry',
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
