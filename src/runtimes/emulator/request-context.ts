import type { IncomingMessage } from 'node:http';
import type { RequestContext, WebSocketEvent } from '../../core/events.ts';
import { awsStyleId } from './ids.ts';

/** Where the emulated API lives; `domainName` + `stage` form its management endpoint, as on AWS. */
export interface ApiIdentity {
  apiId: string;
  stage: string;
  domainName: string;
}

/** What API Gateway remembers about a connection and repeats in every event's requestContext. */
export interface ConnectionIdentity {
  connectionId: string;
  /** Epoch milliseconds. */
  connectedAt: number;
  sourceIp: string;
  userAgent?: string;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

let cachedSecond = -1;
let cachedRequestTime = '';

/** API Gateway's `requestTime`: common log format in UTC, e.g. `20/Jul/2023:23:29:25 +0000`. */
export function formatRequestTime(epochMs: number): string {
  // Every message needs one; within a second they are all the same string.
  const second = Math.floor(epochMs / 1000);
  if (second !== cachedSecond) {
    cachedRequestTime = format(epochMs);
    cachedSecond = second;
  }
  return cachedRequestTime;
}

function format(epochMs: number): string {
  const d = new Date(epochMs);
  const two = (n: number) => String(n).padStart(2, '0');
  return (
    `${two(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:` +
    `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`
  );
}

function requestContext(
  api: ApiIdentity,
  connection: ConnectionIdentity,
  routeKey: string,
  eventType: 'CONNECT' | 'MESSAGE' | 'DISCONNECT',
  now: number,
): RequestContext {
  const requestId = awsStyleId();
  const identity: { sourceIp: string; userAgent?: string } = { sourceIp: connection.sourceIp };
  if (connection.userAgent !== undefined) identity.userAgent = connection.userAgent;
  return {
    routeKey,
    eventType,
    extendedRequestId: requestId,
    requestTime: formatRequestTime(now),
    messageDirection: 'IN',
    stage: api.stage,
    connectedAt: connection.connectedAt,
    requestTimeEpoch: now,
    identity,
    requestId,
    domainName: api.domainName,
    connectionId: connection.connectionId,
    apiId: api.apiId,
  } as unknown as RequestContext;
}

/** The `$connect` event: the upgrade request's headers (as the client cased them) and query string. */
export function connectEvent(
  api: ApiIdentity,
  connection: ConnectionIdentity,
  request: IncomingMessage,
  localPort: number,
): WebSocketEvent {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  const raw = request.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    addValue(headers, multiValueHeaders, raw[i] as string, raw[i + 1] as string);
  }
  // Headers API Gateway adds in front of the integration.
  addValue(headers, multiValueHeaders, 'X-Amzn-Trace-Id', traceId(connection.connectedAt));
  addValue(headers, multiValueHeaders, 'X-Forwarded-For', connection.sourceIp);
  addValue(headers, multiValueHeaders, 'X-Forwarded-Port', String(localPort));
  addValue(headers, multiValueHeaders, 'X-Forwarded-Proto', 'http');

  const event: WebSocketEvent = {
    headers,
    multiValueHeaders,
    requestContext: requestContext(api, connection, '$connect', 'CONNECT', connection.connectedAt),
    isBase64Encoded: false,
  };
  const query = new URL(request.url ?? '/', 'http://localhost').searchParams;
  if (query.size > 0) {
    const single: Record<string, string> = {};
    const multi: Record<string, string[]> = {};
    for (const [name, value] of query) addValue(single, multi, name, value);
    event.queryStringParameters = single;
    (
      event as WebSocketEvent & { multiValueQueryStringParameters?: Record<string, string[]> }
    ).multiValueQueryStringParameters = multi;
  }
  return event;
}

/** The event of one client message on route `routeKey`. Binary messages arrive base64-encoded. */
export function messageEvent(
  api: ApiIdentity,
  connection: ConnectionIdentity,
  routeKey: string,
  body: string,
  isBase64Encoded: boolean,
): WebSocketEvent {
  const context = requestContext(api, connection, routeKey, 'MESSAGE', Date.now());
  (context as RequestContext & { messageId: string }).messageId = awsStyleId();
  return { requestContext: context, body, isBase64Encoded };
}

/** The `$disconnect` event, with the close code and reason as API Gateway reports them. */
export function disconnectEvent(
  api: ApiIdentity,
  connection: ConnectionIdentity,
  statusCode: number,
  reason: string,
): WebSocketEvent {
  const context = requestContext(
    api,
    connection,
    '$disconnect',
    'DISCONNECT',
    Date.now(),
  ) as RequestContext & {
    disconnectStatusCode: number;
    disconnectReason: string;
  };
  context.disconnectStatusCode = statusCode;
  context.disconnectReason = reason;
  // API Gateway sends these few (mostly empty) headers on $disconnect.
  const headers = {
    Host: api.domainName,
    'x-api-key': '',
    'X-Forwarded-For': '',
    'x-restapi': '',
  };
  const multiValueHeaders = Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [name, [value]]),
  );
  return { headers, multiValueHeaders, requestContext: context, isBase64Encoded: false };
}

function addValue(
  single: Record<string, string>,
  multi: Record<string, string[]>,
  name: string,
  value: string,
): void {
  single[name] = value;
  const values = multi[name];
  if (values) values.push(value);
  else multi[name] = [value];
}

function traceId(epochMs: number): string {
  const seconds = Math.floor(epochMs / 1000)
    .toString(16)
    .padStart(8, '0');
  return `Root=1-${seconds}-${Buffer.from(awsStyleId(), 'base64').toString('hex').slice(0, 24).padEnd(24, '0')}`;
}
