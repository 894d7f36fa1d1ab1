/**
 * A stand-in for API Gateway's `@connections` API as seen from a Lambda in the same Region, for the
 * aws-fanout benchmark and the gateway's throttling tests. A real HTTP server speaking the wire protocol the
 * AWS SDK expects (errors typed by `x-amzn-ErrorType`, as the local emulator's management API does), with:
 *
 * - a per-post latency (20 ms by default: typical for PostToConnection from Lambda in the same Region);
 * - the account throttle: ONE token bucket for every caller (10,000 requests/s, burst 5,000 by default),
 *   answering 429 `LimitExceededException` past it, as API Gateway does for the whole account;
 * - receivers whose own buffer is full (a client not reading): 429 `LimitExceededException` for that
 *   connection only, the same answer as account throttling (field notes §1);
 * - 410 `GoneException` for connections it does not know;
 * - a delivery ledger: how many times each connection received each message (by topic, epoch and offset).
 *
 * The 429 body and headers are API Gateway's throttle answer: `x-amzn-ErrorType: LimitExceededException`
 * (what the SDK turns into `LimitExceededException`), an `x-amzn-RequestId`, and `{"message":"Too Many
 * Requests"}`. A request without a SigV4 `Authorization` header gets API Gateway's 403 ("Missing
 * Authentication Token"); signatures themselves are not verified (test/runtimes/aws/signed-post.test.ts
 * checks them against the SDK's).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TokenBucket } from '../../src/core/limits/token-bucket.ts';

export interface AccountThrottle {
  /** Sustained requests per second for the whole account (API Gateway's default: 10,000). */
  perSecond: number;
  /** Bucket size (default 5,000). */
  burst: number;
}

export const defaultAccountThrottle: AccountThrottle = { perSecond: 10_000, burst: 5_000 };

export interface ConnectionsEndpointOptions {
  /** Added before every successful post is answered, ms (default 20). */
  latencyMs?: number;
  /** How long a throttled request takes to be refused, ms (default 5: refused at the edge, no integration). */
  throttledLatencyMs?: number;
  /** The account's token bucket; `false`: no account throttle. */
  account?: AccountThrottle | false;
  /** Which connection ids exist (others answer 410). Default: every id. */
  isLive?: (connectionId: string) => boolean;
  /** Connections whose client buffer is full: every post to them answers 429 while listed. */
  fullBuffers?: ReadonlySet<string>;
  /** Connections the caller may not post to (IAM denies it): 403 `ForbiddenException`. */
  forbidden?: ReadonlySet<string>;
  /** Largest body accepted (API Gateway: 128 KB), else 413 `PayloadTooLargeException`. */
  maxBodyBytes?: number;
  /** Keeps the ledger (default true). */
  ledger?: boolean;
  port?: number;
}

export interface EndpointCounters {
  /** Requests received, whatever the answer. */
  requests: number;
  /** 200s. */
  delivered: number;
  /** 429s because the account's bucket was empty. */
  accountThrottled: number;
  /** 429s because the receiver's buffer was full. */
  bufferFull: number;
  gone: number;
  /** Epoch ms of the first request and of the last 200 sent. */
  firstRequestAt: number;
  lastDeliveryAt: number;
}

/** A message as the ledger knows it: `topic epoch offset`, or the whole body when it has no position. */
export type MessageKey = string;

export interface LedgerVerdict {
  /** (connection, message) pairs expected but never delivered. */
  lost: number;
  /** Deliveries beyond the first of the same message to the same connection. */
  duplicated: number;
  delivered: number;
}

export interface ConnectionsEndpoint {
  /** Base URL to use as the management endpoint, e.g. `http://127.0.0.1:PORT/prod`. */
  endpoint: string;
  counters: EndpointCounters;
  /** message -> connectionId -> deliveries (one map per message: a million receivers are one map, not a million). */
  ledger: Map<MessageKey, Map<string, number>>;
  /** Zeroes the counters and forgets the ledger, so one run's memory does not carry into the next. */
  resetCounters(): void;
  /** Checks the ledger: `expected(connectionId)` lists the messages that connection should have got once each. */
  verdict(connectionIds: Iterable<string>, messages: readonly MessageKey[]): LedgerVerdict;
  close(): Promise<void>;
}

const CONNECTION_PATH = /^(?:\/[^/]+)?\/(?:@|%40)connections\/([^/?]+)/i;
const POSITION = /^\{"type":"message","topic":("(?:[^"\\]|\\.)*"),.*,"offset":(\d+),"epoch":"([^"]*)"\}$/s;

/** The key the ledger files a message body under (a `message` frame with its position, else the body). */
export function messageKeyOf(body: string): MessageKey {
  const match = POSITION.exec(body);
  return match ? `${JSON.parse(match[1] as string) as string} ${match[3]} ${match[2]}` : body;
}

export async function startConnectionsEndpoint(
  options: ConnectionsEndpointOptions = {},
): Promise<ConnectionsEndpoint> {
  const latencyMs = options.latencyMs ?? 20;
  const throttledLatencyMs = options.throttledLatencyMs ?? 5;
  const account = options.account === undefined ? defaultAccountThrottle : options.account;
  const bucket = account
    ? new TokenBucket({ perSecond: account.perSecond, burst: account.burst }, Date.now())
    : undefined;
  const isLive = options.isLive ?? (() => true);
  const maxBodyBytes = options.maxBodyBytes ?? 128 * 1024;
  const keepLedger = options.ledger ?? true;
  const ledger = new Map<MessageKey, Map<string, number>>();
  // Every post of a fan-out carries the same body: its key is parsed once.
  let lastBody = '';
  let lastKey: MessageKey = '';
  const fresh = (): EndpointCounters => ({
    requests: 0,
    delivered: 0,
    accountThrottled: 0,
    bufferFull: 0,
    gone: 0,
    firstRequestAt: 0,
    lastDeliveryAt: 0,
  });
  const counters = fresh();

  const answer = (response: ServerResponse, status: number, type?: string, message?: string) => {
    if (type === undefined) {
      response.writeHead(status, { 'x-amzn-RequestId': randomUUID(), 'content-length': '0' });
      response.end();
      return;
    }
    const body = JSON.stringify({ message });
    response.writeHead(status, {
      'x-amzn-RequestId': randomUUID(),
      'x-amzn-ErrorType': type,
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
    });
    response.end(body);
  };
  const later = (ms: number, run: () => void) => (ms > 0 ? setTimeout(run, ms) : setImmediate(run));

  const handle = (request: IncomingMessage, response: ServerResponse, body: Buffer) => {
    counters.requests++;
    if (counters.firstRequestAt === 0) counters.firstRequestAt = Date.now();
    const match = CONNECTION_PATH.exec(request.url ?? '');
    if (!match || request.method !== 'POST') {
      return answer(response, 404, 'NotFoundException', 'Not Found');
    }
    if (!String(request.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256 ')) {
      return answer(response, 403, 'ForbiddenException', 'Missing Authentication Token');
    }
    if (bucket && !bucket.take(Date.now())) {
      counters.accountThrottled++;
      return later(throttledLatencyMs, () =>
        answer(response, 429, 'LimitExceededException', 'Too Many Requests'),
      );
    }
    const connectionId = decodeURIComponent(match[1] as string);
    if (body.length > maxBodyBytes) {
      return later(latencyMs, () =>
        answer(response, 413, 'PayloadTooLargeException', 'Request entity too large'),
      );
    }
    if (options.forbidden?.has(connectionId)) {
      return later(latencyMs, () => answer(response, 403, 'ForbiddenException', 'Forbidden'));
    }
    if (!isLive(connectionId)) {
      counters.gone++;
      return later(latencyMs, () => answer(response, 410, 'GoneException', 'The connection is gone'));
    }
    if (options.fullBuffers?.has(connectionId)) {
      counters.bufferFull++;
      return later(latencyMs, () => answer(response, 429, 'LimitExceededException', 'Too Many Requests'));
    }
    later(latencyMs, () => {
      if (keepLedger) {
        const text = body.toString('utf8');
        if (text !== lastBody) {
          lastBody = text;
          lastKey = messageKeyOf(text);
        }
        let receivers = ledger.get(lastKey);
        if (!receivers) {
          receivers = new Map();
          ledger.set(lastKey, receivers);
        }
        receivers.set(connectionId, (receivers.get(connectionId) ?? 0) + 1);
      }
      counters.delivered++;
      counters.lastDeliveryAt = Date.now();
      answer(response, 200);
    });
  };

  const server: Server = createServer({ keepAliveTimeout: 60_000 }, (request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => handle(request, response, Buffer.concat(chunks)));
  });
  server.maxRequestsPerSocket = 0;
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}/prod`,
    counters,
    ledger,
    resetCounters() {
      Object.assign(counters, fresh());
      ledger.clear();
    },
    verdict(connectionIds, messages) {
      const verdict: LedgerVerdict = { lost: 0, duplicated: 0, delivered: 0 };
      for (const id of connectionIds) {
        for (const message of messages) {
          const times = ledger.get(message)?.get(id) ?? 0;
          if (times === 0) verdict.lost++;
          else {
            verdict.delivered++;
            verdict.duplicated += times - 1;
          }
        }
      }
      return verdict;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
