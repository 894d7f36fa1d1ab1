/** The WebSocket API's stage: throttling and the stack's outputs. */

export interface ThrottleModel {
  /** Steady-state requests (incoming frames) per second across the stage. */
  rateLimit: number;
  /** Bucket size for short peaks. */
  burstLimit: number;
}

/**
 * Stage-wide throttle: well under the account's shared 10,000 RPS (which also covers `@connections`
 * fan-out calls), so a flood of incoming frames cannot starve delivery.
 */
export const DefaultThrottle: ThrottleModel = { rateLimit: 1000, burstLimit: 2000 };

export const OutputNames = {
  webSocketUrl: 'WebSocketUrl',
  managementEndpoint: 'ManagementEndpoint',
  tableName: 'TableName',
  publishUrl: 'PublishUrl',
} as const;

/** The default domain's `@connections` endpoint; behind a custom domain, configure it instead. */
export function defaultManagementEndpoint(
  apiId: string,
  region: string,
  urlSuffix: string,
  stage: string,
): string {
  return `https://${apiId}.execute-api.${region}.${urlSuffix}/${stage}`;
}

export function webSocketUrl(apiId: string, region: string, urlSuffix: string, stage: string): string {
  return `wss://${apiId}.execute-api.${region}.${urlSuffix}/${stage}`;
}
