/**
 * The ways of making a PostToConnection that the post-CPU micro-benchmark compares:
 * - `sdk`: the SDK client exactly as topicsocket built it before the lean path (the unmodified baseline);
 * - `sdk-cached`: the same client with `cacheMiddleware: true` (the middleware stack built once);
 * - `signed`: src/runtimes/aws/signed-post.ts, what the Lambda uses now.
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import {
  ApiGatewayManagementApiClient,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { type Poster, SignedPoster } from '../../src/runtimes/aws/signed-post.ts';

export const POST_PATHS = ['sdk', 'sdk-cached', 'signed'] as const;
export type PostPath = (typeof POST_PATHS)[number];

const credentials = { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench-secret' };

function sdkClient(endpoint: string, maxSockets: number, cacheMiddleware: boolean) {
  return new ApiGatewayManagementApiClient({
    endpoint,
    region: 'us-east-1',
    credentials,
    maxAttempts: 1,
    ...(cacheMiddleware ? { cacheMiddleware: true } : {}),
    requestHandler: {
      connectionTimeout: 2_000,
      requestTimeout: 5_000,
      throwOnRequestTimeout: true,
      httpAgent: new HttpAgent({ keepAlive: true, maxSockets }),
      httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets }),
    },
  });
}

export function createPoster(kind: PostPath, endpoint: string, maxSockets: number): Poster {
  if (kind === 'signed') {
    return new SignedPoster({
      endpoint,
      region: async () => 'us-east-1',
      credentials: async () => credentials,
      maxSockets,
    });
  }
  const client = sdkClient(endpoint, maxSockets, kind === 'sdk-cached');
  return {
    post: async (ConnectionId, Data) => {
      await client.send(new PostToConnectionCommand({ ConnectionId, Data }));
    },
    destroy: () => client.destroy(),
  };
}
