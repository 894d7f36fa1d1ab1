/**
 * Access logs of both APIs: one JSON line per request (HTTP API) or per connect, message and disconnect
 * (WebSocket API), to a log group per API with the functions' retention. No field carries a token: the
 * WebSocket query string and headers are not logged, only ids, route, status and errors.
 *
 * The WebSocket API writes access logs only once the account has an API Gateway CloudWatch role
 * (`AWS::ApiGateway::Account`, one per account and Region, shared by every REST and WebSocket API there);
 * without it the stage fails to deploy. The stacks do not own that account-wide setting (a stack that set
 * it would overwrite another's, and deleting the stack would not undo it): docs/deploy.md says how to set it
 * once, and `TOPICSOCKET_WEBSOCKET_ACCESS_LOGS=off` deploys without WebSocket access logs meanwhile. The
 * HTTP API logs without that role.
 */

/** Deploy time: `on` (default) or `off` for the WebSocket stage's access logs. */
export const WebSocketAccessLogsVariable = 'TOPICSOCKET_WEBSOCKET_ACCESS_LOGS';

export const AccessLogModes = ['on', 'off'] as const;
export type AccessLogMode = (typeof AccessLogModes)[number];

export function webSocketAccessLogMode(value: string | undefined): AccessLogMode {
  const mode = value?.trim() || 'on';
  if (!(AccessLogModes as readonly string[]).includes(mode)) {
    throw new Error(
      `${WebSocketAccessLogsVariable} must be one of ${AccessLogModes.join(', ')}, got "${mode}"`,
    );
  }
  return mode as AccessLogMode;
}

const jsonLine = (fields: Record<string, string>): string =>
  JSON.stringify(
    Object.fromEntries(Object.entries(fields).map(([name, path]) => [name, `$context.${path}`])),
  );

/** WebSocket `$context` variables: https://docs.aws.amazon.com/apigateway/latest/developerguide/websocket-api-logging.html */
export const WebSocketAccessLogFormat = jsonLine({
  requestId: 'requestId',
  extendedRequestId: 'extendedRequestId',
  connectionId: 'connectionId',
  eventType: 'eventType',
  routeKey: 'routeKey',
  status: 'status',
  integrationStatus: 'integrationStatus',
  error: 'error.message',
  integrationError: 'integrationErrorMessage',
  sourceIp: 'identity.sourceIp',
  requestTime: 'requestTimeEpoch',
  latency: 'integrationLatency',
});

/** HTTP API `$context` variables (the IAM caller's ARN included: who published). */
export const HttpAccessLogFormat = jsonLine({
  requestId: 'requestId',
  sourceIp: 'identity.sourceIp',
  caller: 'identity.userArn',
  requestTime: 'requestTimeEpoch',
  method: 'httpMethod',
  routeKey: 'routeKey',
  status: 'status',
  responseLength: 'responseLength',
  integrationStatus: 'integrationStatus',
  integrationError: 'integrationErrorMessage',
  latency: 'integrationLatency',
});

/** Same retention as the functions' logs. */
export const AccessLogRetentionDays = 14;
