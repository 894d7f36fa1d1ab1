import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import type { RequestContext } from '../../core/index.ts';
import { sdkPoster } from './api-gateway-gateway.ts';
import { defaultSendConcurrency } from './config.ts';
import { type Poster, SignedPoster } from './signed-post.ts';

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

export interface ManagementClientsOptions {
  /**
   * Keep-alive sockets per endpoint, for the SDK client and the signed poster alike: the gateway's posts in
   * flight (TOPICSOCKET_SEND_CONCURRENCY), so no post waits for a socket. Default 50.
   */
  maxSockets?: number;
  /**
   * How posts are made: `signed` (default), one signed request per post (signed-post.ts, a fifth of the
   * SDK's CPU); `sdk`, PostToConnectionCommand through the client (for tests that inject faults or count
   * requests with SDK middleware).
   */
  posts?: 'signed' | 'sdk';
}

/**
 * One client (and poster) per endpoint, kept for the life of the Lambda container so connections (TLS,
 * keep-alive) are reused across invocations. `maxAttempts: 1`: ApiGatewayGateway retries with its own
 * bounded backoff, and two stacked retry loops would multiply the attempts. The signed poster takes its
 * credentials and region from the client, so both use the SDK's credential chain.
 */
export class ManagementClients {
  private readonly clients = new Map<string, ApiGatewayManagementApiClient>();
  private readonly posters = new Map<string, Poster>();
  private readonly create: (endpoint: string) => ApiGatewayManagementApiClient;
  readonly maxSockets: number;
  private readonly posts: 'signed' | 'sdk';

  constructor(
    create?: (endpoint: string) => ApiGatewayManagementApiClient,
    options: ManagementClientsOptions = {},
  ) {
    this.maxSockets = options.maxSockets ?? defaultSendConcurrency;
    this.posts = options.posts ?? 'signed';
    this.create =
      create ?? ((endpoint) => defaultManagementClient(endpoint, { maxSockets: this.maxSockets }));
  }

  for(endpoint: string): ApiGatewayManagementApiClient {
    let client = this.clients.get(endpoint);
    if (!client) {
      client = this.create(endpoint);
      this.clients.set(endpoint, client);
    }
    return client;
  }

  posterFor(endpoint: string): Poster {
    let poster = this.posters.get(endpoint);
    if (!poster) {
      const client = this.for(endpoint);
      poster =
        this.posts === 'sdk'
          ? sdkPoster(client)
          : new SignedPoster({
              endpoint,
              region: client.config.region,
              credentials: client.config.credentials,
              maxSockets: this.maxSockets,
            });
      this.posters.set(endpoint, poster);
    }
    return poster;
  }

  destroy(): void {
    for (const poster of this.posters.values()) poster.destroy();
    for (const client of this.clients.values()) client.destroy();
    this.posters.clear();
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
  const maxSockets = options.maxSockets ?? defaultSendConcurrency;
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
