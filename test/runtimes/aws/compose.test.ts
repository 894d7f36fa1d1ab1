/**
 * The three Lambda functions are assembled by one function (src/runtimes/aws/compose.ts), so they cannot
 * differ in what they are built from. The publish function once sized its `@connections` sockets from the
 * default (50) instead of TOPICSOCKET_SEND_CONCURRENCY: with 60 posts allowed in flight, 10 waited for a
 * socket. Caught here end to end: the real publish handler, built from the environment alone, against an
 * `@connections` endpoint that answers nothing until it holds 60 posts on 60 sockets at once.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadAuthConfig } from '../../../src/core/auth/index.ts';
import { AuthEnvironment, LambdaEnvironment, PublishAuthEnvironment } from '../../../src/core/config-env.ts';
import { type AwsFunction, AwsFunctionServiceNames, composeAws } from '../../../src/runtimes/aws/compose.ts';
import { ConfigError, loadAwsRuntimeConfig, loadPublishAuth } from '../../../src/runtimes/aws/config.ts';
import { createPublishHandler } from '../../../src/runtimes/aws/publish-handler.ts';
import { DynamoDbStore } from '../../../src/stores/dynamodb/dynamodb-store.ts';
import { freshTable } from '../../support/dynamodb-test-table.ts';
import { publishEvent } from '../../support/events.ts';

const SEND_CONCURRENCY = 60;
const API_KEY = 'compose-test-api-key-0001';

/** `@connections` stand-in: holds every post until `target` are in flight at once, then answers them all. */
function holdingEndpoint(target: number) {
  const held: ServerResponse[] = [];
  let sockets = 0;
  let maxSockets = 0;
  let released = false;
  let reached: () => void = () => {};
  const allInFlight = new Promise<void>((resolve) => {
    reached = resolve;
  });
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    request.resume();
    request.on('end', () => {
      if (released) {
        response.end();
        return;
      }
      held.push(response);
      if (held.length >= target) {
        released = true;
        reached();
        for (const waiting of held.splice(0)) waiting.end();
      }
    });
  });
  server.on('connection', (socket) => {
    sockets++;
    maxSockets = Math.max(maxSockets, sockets);
    socket.on('close', () => sockets--);
  });
  return {
    server,
    allInFlight,
    get maxSockets() {
      return maxSockets;
    },
    async listen(): Promise<string> {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    },
    async close(): Promise<void> {
      for (const waiting of held.splice(0)) waiting.end();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('one composition for every Lambda function', () => {
  const saved = { ...process.env };
  let env: Record<string, string>;
  let endpoint: ReturnType<typeof holdingEndpoint>;

  beforeAll(async () => {
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    // The signed poster signs with the SDK's credential chain: placeholder keys (the stand-in checks none).
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_REGION: 'us-east-1',
    });
    const table = await freshTable('compose');
    endpoint = holdingEndpoint(SEND_CONCURRENCY);
    env = {
      [LambdaEnvironment.tableName]: table.tableName,
      [LambdaEnvironment.dynamodbEndpoint]: table.endpoint,
      [LambdaEnvironment.managementEndpoint]: await endpoint.listen(),
      [LambdaEnvironment.sendConcurrency]: String(SEND_CONCURRENCY),
      [AuthEnvironment.mode]: 'open',
      [AuthEnvironment.apiKeys]: API_KEY,
      [PublishAuthEnvironment.mode]: 'keys',
    };
    const store = new DynamoDbStore({ client: table.client, tableName: table.tableName });
    const now = Date.now();
    for (let index = 0; index < SEND_CONCURRENCY; index++) {
      const connectionId = `c${String(index).padStart(3, '0')}=`;
      await store.putConnection({ connectionId, connectedAt: now, expiresAt: now / 1000 + 600 });
      await store.subscribe(connectionId, 'compose/t', { expiresAt: now / 1000 + 600, maxSubscriptions: 10 });
    }
    await store.close?.();
  });

  afterAll(async () => {
    await endpoint?.close();
    process.env = saved;
    vi.restoreAllMocks();
  });

  it('the publish function keeps TOPICSOCKET_SEND_CONCURRENCY posts in flight on as many sockets', async () => {
    const publish = createPublishHandler(
      loadAwsRuntimeConfig(env),
      loadAuthConfig(env, 'required'),
      loadPublishAuth(env),
    );
    const result = (await publish(
      publishEvent({ topic: 'compose/t', data: 'x' }, { 'x-api-key': API_KEY }),
    )) as APIGatewayProxyStructuredResultV2;
    await endpoint.allInFlight;
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body as string)).toMatchObject({ delivered: SEND_CONCURRENCY });
    expect(endpoint.maxSockets).toBe(SEND_CONCURRENCY);
  });

  it('builds every function from the same settings: sockets, page size, retention, queue', () => {
    const config = loadAwsRuntimeConfig({
      ...env,
      [LambdaEnvironment.subscriberPageSize]: '250',
      TOPICSOCKET_FANOUT_QUEUE_URL: 'http://127.0.0.1:1/000000000000/fanout',
      TOPICSOCKET_FANOUT_THRESHOLD: '7',
    });
    const parts = (Object.keys(AwsFunctionServiceNames) as AwsFunction[]).map((fn) => {
      const composed = composeAws(fn, config);
      const seen = {
        maxSockets: composed.clients.maxSockets,
        sharding: composed.sharding?.settings,
        hasQueue: composed.sharding?.queue !== undefined,
      };
      composed.sqs?.destroy();
      return seen;
    });
    expect(parts[0]).toEqual({
      maxSockets: SEND_CONCURRENCY,
      sharding: { threshold: 7, pageSize: 250 },
      hasQueue: true,
    });
    expect(parts[1]).toEqual(parts[0]);
    expect(parts[2]).toEqual(parts[0]);
  });

  it('reads TOPICSOCKET_PUBLISH_AUTH strictly: a typo fails the cold start instead of meaning keys', () => {
    expect(loadPublishAuth({ [PublishAuthEnvironment.mode]: 'keys' })).toBe('keys');
    expect(loadPublishAuth({ [PublishAuthEnvironment.mode]: ' iam ' })).toBe('iam');
    // Unset: IAM, as the deploy defaults to (the function then requires API Gateway's IAM context).
    expect(loadPublishAuth({})).toBe('iam');
    expect(() => loadPublishAuth({ [PublishAuthEnvironment.mode]: 'key' })).toThrow(ConfigError);
    expect(() => loadPublishAuth({ [PublishAuthEnvironment.mode]: 'IAM' })).toThrow(
      'TOPICSOCKET_PUBLISH_AUTH must be one of iam, keys, got "IAM"',
    );
  });
});
