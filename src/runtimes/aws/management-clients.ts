import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import type { RequestContext } from '../../core/index.ts';

/**
 * The `@connections` endpoint for an event: the configured one (required behind a custom domain, whose
 * path mapping changes the URL) or, for the default domain, `https://{domainName}/{stage}`.
 */
export function managementEndpointFor(configured: string | undefined, context: RequestContext): string {
  if (configured) return configured;
  const { domainName, stage } = context;
  if (!domainName || !stage) {
    throw new Error('the event has no requestContext.domainName/stage; set TOPICSOCKET_MANAGEMENT_ENDPOINT');
  }
  return `https://${domainName}/${stage}`;
}

/**
 * One client per endpoint, kept for the life of the Lambda container so connections (TLS, keep-alive) are
 * reused across invocations. `maxAttempts: 1`: ApiGatewayGateway retries with its own bounded backoff, and
 * two stacked retry loops would multiply the attempts.
 */
export class ManagementClients {
  private readonly clients = new Map<string, ApiGatewayManagementApiClient>();

  constructor(
    private readonly create: (endpoint: string) => ApiGatewayManagementApiClient = defaultManagementClient,
  ) {}

  for(endpoint: string): ApiGatewayManagementApiClient {
    let client = this.clients.get(endpoint);
    if (!client) {
      client = this.create(endpoint);
      this.clients.set(endpoint, client);
    }
    return client;
  }

  destroy(): void {
    for (const client of this.clients.values()) client.destroy();
    this.clients.clear();
  }
}

export interface ManagementClientOptions {
  /** Sockets per client; matches the gateway's posts in flight so none wait for a socket (default 50). */
  maxSockets?: number;
  /** A post that has not answered by then fails with a (retryable) TimeoutError (default 5 s). */
  requestTimeoutMs?: number;
}

export function defaultManagementClient(
  endpoint: string,
  options: ManagementClientOptions = {},
): ApiGatewayManagementApiClient {
  const maxSockets = options.maxSockets ?? 50;
  return new ApiGatewayManagementApiClient({
    endpoint,
    maxAttempts: 1,
    requestHandler: {
      // Without timeouts one stuck post would hold the whole fan-out until the Lambda times out.
      connectionTimeout: 2_000,
      requestTimeout: options.requestTimeoutMs ?? 5_000,
      throwOnRequestTimeout: true,
      httpAgent: new HttpAgent({ keepAlive: true, maxSockets }),
      httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets }),
    },
  });
}
