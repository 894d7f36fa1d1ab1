import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAuthConfig } from '../../src/core/auth/index.ts';
import type { AwsRuntimeConfig } from '../../src/runtimes/aws/config.ts';
import { ManagementClients } from '../../src/runtimes/aws/management-clients.ts';
import { createPublishHandler } from '../../src/runtimes/aws/publish-handler.ts';
import type { LocalServer } from '../../src/runtimes/local/index.ts';
import { publishEvent } from '../support/events.ts';
import {
  type LambdaOnEmulator,
  startLambdaOnEmulator,
  type TestTable,
} from '../support/lambda-on-emulator.ts';
import { localManagementClient } from '../support/management-client.ts';
import { Probe } from './support/probe.ts';

const API_KEY = 'lambda-publish-api-key-01';
const ENV = { TOPICSOCKET_AUTH: 'open', TOPICSOCKET_API_KEYS: API_KEY };

/** A `POST /publish`, signed by IAM as `iamArn` when given. */
function httpEvent(body: unknown, headers: Record<string, string> = {}, iamArn?: string) {
  const iam = { userArn: iamArn, callerId: 'AIDA', accountId: '123456789012' };
  return publishEvent(body, headers, iamArn ? { authorizer: { iam } } : {});
}

describe('security: publish Lambda (HTTP API route)', () => {
  let fixture: LambdaOnEmulator;
  let dynamo: TestTable;
  let server: LocalServer;
  let config: AwsRuntimeConfig;
  let subscriber: Probe;
  const managementClients = new ManagementClients((endpoint) => localManagementClient(endpoint));

  beforeAll(async () => {
    fixture = await startLambdaOnEmulator({
      table: 'publish-api',
      quiet: true,
      managementClients,
      dependencies: { auth: loadAuthConfig(ENV, 'required') },
    });
    ({ server, table: dynamo, config } = fixture);
    subscriber = fixture.track(await Probe.open(server.url));
    await subscriber.request({ type: 'subscribe', topic: 'alerts', id: 1 });
  });

  afterAll(async () => {
    await fixture?.close();
    managementClients.destroy();
  });

  it('with key auth: refuses no or wrong keys (401), publishes with the key', async () => {
    const publish = createPublishHandler(config, loadAuthConfig(ENV, 'required'), 'keys', {
      dynamoDb: dynamo.client,
      managementClients,
    });
    const attempts: Array<Record<string, string>> = [{}, { 'x-api-key': 'wrong-wrong-wrong-wrong' }];
    for (const headers of attempts) {
      const refused = (await publish(
        httpEvent({ topic: 'alerts', data: 'leak' }, headers),
      )) as APIGatewayProxyStructuredResultV2;
      expect(refused.statusCode).toBe(401);
      expect(JSON.parse(refused.body as string)).toMatchObject({ code: 'unauthorized' });
    }
    // IAM context is ignored when the route is configured for keys: it cannot stand in for a key.
    const spoofed = (await publish(
      httpEvent({ topic: 'alerts', data: 'leak' }, {}, 'arn:aws:iam::1:user/x'),
    )) as APIGatewayProxyStructuredResultV2;
    expect(spoofed.statusCode).toBe(401);
    const ok = (await publish(
      httpEvent({ topic: 'alerts', data: 'fire' }, { 'x-api-key': API_KEY }),
    )) as APIGatewayProxyStructuredResultV2;
    expect(ok.statusCode).toBe(200);
    expect(JSON.parse(ok.body as string)).toMatchObject({ topic: 'alerts', delivered: 1, failed: 0 });
    await subscriber.waitFor((frame) => frame.type === 'message');
    expect(subscriber.messages()).toEqual([
      expect.objectContaining({ type: 'message', topic: 'alerts', data: 'fire' }),
    ]);
  });

  it('with IAM auth: refuses an event without the IAM context, publishes with it', async () => {
    const publish = createPublishHandler(
      config,
      loadAuthConfig({ TOPICSOCKET_AUTH: 'open' }, 'required'),
      'iam',
      {
        dynamoDb: dynamo.client,
        managementClients,
      },
    );
    const refused = (await publish(
      httpEvent({ topic: 'alerts', data: 'leak' }),
    )) as APIGatewayProxyStructuredResultV2;
    expect(refused.statusCode).toBe(401);
    const ok = (await publish(
      httpEvent({ topic: 'alerts', data: 'iam' }, {}, 'arn:aws:iam::123456789012:role/backend'),
    )) as APIGatewayProxyStructuredResultV2;
    expect(ok.statusCode).toBe(200);
    await subscriber.waitFor((frame) => frame.type === 'message' && frame.data === 'iam');
    expect(subscriber.messages().map((frame) => frame.data)).toEqual(['fire', 'iam']);
  });
});
