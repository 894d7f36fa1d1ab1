/**
 * The deployed roles grant DynamoDB actions from a hand-kept list (TableActions for the WebSocket function,
 * PublishTableActions for the publish function). This test runs both functions through every path that
 * touches the table, records each DynamoDB request the SDK makes, and checks that its IAM action is granted:
 * a store change that needs a new action fails here, not with AccessDenied in production.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  Context,
  SQSEvent,
} from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { WorkerQueueActions, WorkerTableActions } from '../../../deploy/model/fanout.ts';
import { PublishTableActions } from '../../../deploy/model/iam.ts';
import { loadAuthConfig } from '../../../src/core/auth/index.ts';
import type { AwsRuntimeConfig } from '../../../src/runtimes/aws/config.ts';
import { createAwsHandler } from '../../../src/runtimes/aws/create-handler.ts';
import { ManagementClients } from '../../../src/runtimes/aws/management-clients.ts';
import { createPublishHandler } from '../../../src/runtimes/aws/publish-handler.ts';
import { createSqsClient } from '../../../src/runtimes/aws/sqs-fanout-queue.ts';
import { createWorkerHandler } from '../../../src/runtimes/aws/worker-handler.ts';
import { type LocalServer, startLocalServer } from '../../../src/runtimes/local/index.ts';
import { createDynamoDbClient, DynamoDbStore, TableActions } from '../../../src/stores/dynamodb/index.ts';
import { Probe } from '../../security/support/probe.ts';
import { freshTable } from '../../support/dynamodb-test-table.ts';
import { lambdaContext } from '../../support/lambda-context.ts';
import { localManagementClient } from '../../support/management-client.ts';
import { startSqsStandIn } from '../../support/sqs-stand-in.ts';

/** SQS requests by the IAM action that authorizes them (batch sends authorize as sqs:SendMessage). */
function recordSqsActions(client: SQSClient): Set<string> {
  const actions = new Set<string>();
  const alias: Record<string, string> = {
    SendMessageBatch: 'SendMessage',
    DeleteMessageBatch: 'DeleteMessage',
  };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = String(context.commandName).replace(/Command$/, '');
      actions.add(`sqs:${alias[operation] ?? operation}`);
      return next(args);
    },
    { step: 'initialize', name: 'record-sqs-actions' },
  );
  return actions;
}

const API_KEY = 'iam-coverage-api-key-000001';
const ENV = { TOPICSOCKET_AUTH: 'open', TOPICSOCKET_API_KEYS: API_KEY };

/** The IAM actions a DynamoDB request needs (a transaction needs one per kind of item it holds). */
function iamActions(commandName: string, input: Record<string, unknown>): string[] {
  const operation = commandName.replace(/Command$/, '');
  const itemActions: Record<string, string> = {
    Put: 'PutItem',
    Update: 'UpdateItem',
    Delete: 'DeleteItem',
    ConditionCheck: 'ConditionCheckItem',
    Get: 'GetItem',
  };
  if (operation === 'TransactWriteItems' || operation === 'TransactWrite') {
    const items = (input.TransactItems ?? []) as Array<Record<string, unknown>>;
    return items.map((item) => `dynamodb:${itemActions[Object.keys(item)[0] ?? ''] ?? 'Unknown'}`);
  }
  const aliases: Record<string, string> = {
    ...itemActions,
    BatchWrite: 'BatchWriteItem',
    BatchGet: 'BatchGetItem',
  };
  return [`dynamodb:${aliases[operation] ?? operation}`];
}

/** Records the IAM actions of every request a client sends. */
function recordActions(client: DynamoDBClient): Set<string> {
  const actions = new Set<string>();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      for (const action of iamActions(String(context.commandName), args.input as Record<string, unknown>)) {
        actions.add(action);
      }
      return next(args);
    },
    { step: 'initialize', name: 'record-iam-actions' },
  );
  return actions;
}

function runtimeConfig(tableName: string, managementEndpoint: string): AwsRuntimeConfig {
  return {
    tableName,
    managementEndpoint,
    sendConcurrency: 10,
    subscriberPageSize: 100,
    maxSubscriptions: 10,
    metricsNamespace: 'topicsocket-test',
  };
}

function publishEvent(body: unknown): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: 'POST /publish',
    rawPath: '/publish',
    rawQueryString: '',
    headers: { 'content-type': 'application/json', 'x-api-key': API_KEY },
    body: JSON.stringify(body),
    isBase64Encoded: false,
    requestContext: { http: { method: 'POST', path: '/publish', sourceIp: '127.0.0.1', userAgent: 'test' } },
  } as unknown as APIGatewayProxyEventV2;
}

describe('IAM grants cover every DynamoDB request', () => {
  let server: LocalServer;
  let tableName: string;
  let endpoint: string;
  let websocketClient: DynamoDBClient;
  let publishClient: DynamoDBClient;
  let websocketActions: Set<string>;
  let publishActions: Set<string>;
  const managementClients = new ManagementClients((url) => localManagementClient(url));

  beforeAll(async () => {
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const table = await freshTable('iam-coverage');
    table.client.destroy();
    tableName = table.tableName;
    endpoint = table.endpoint;
    websocketClient = createDynamoDbClient({ endpoint });
    publishClient = createDynamoDbClient({ endpoint });
    websocketActions = recordActions(websocketClient);
    publishActions = recordActions(publishClient);
    let lambda: ReturnType<typeof createAwsHandler> | undefined;
    server = await startLocalServer({
      port: 0,
      handler: (event) => (lambda as ReturnType<typeof createAwsHandler>)(event, lambdaContext(event)),
    });
    const config = runtimeConfig(tableName, server.managementEndpoint);
    lambda = createAwsHandler(config, {
      dynamoDb: websocketClient,
      managementClients,
      auth: loadAuthConfig(ENV, 'required'),
    });
  });

  afterAll(async () => {
    await server?.close();
    vi.restoreAllMocks();
    managementClients.destroy();
    websocketClient?.destroy();
    publishClient?.destroy();
  });

  it('the WebSocket function uses only TableActions, the publish function only PublishTableActions', async () => {
    // WebSocket routes: connect, subscribe (plain and with since), publish (with an idempotency key, twice),
    // history, unsubscribe, disconnect.
    const a = await Probe.open(server.url);
    const b = await Probe.open(server.url);
    await a.request({ type: 'subscribe', topic: 'iam/t', id: 1 });
    const first = await b.request({ type: 'publish', topic: 'iam/t', data: 1, idempotencyKey: 'k1', id: 2 });
    await b.request({ type: 'publish', topic: 'iam/t', data: 1, idempotencyKey: 'k1', id: 3 });
    await b.request({ type: 'subscribe', topic: 'iam/t', since: { epoch: first.epoch, offset: 0 }, id: 4 });
    await b.request({ type: 'history', topic: 'iam/t', limit: 10, id: 5 });
    await b.request({ type: 'unsubscribe', topic: 'iam/t', id: 6 });
    await b.close();

    // The publish route: a duplicate idempotency key, and a ghost subscriber whose 410 triggers cleanup.
    const ghostStore = new DynamoDbStore({ client: createDynamoDbClient({ endpoint }), tableName });
    const now = Date.now();
    await ghostStore.putConnection({
      connectionId: 'Z2hvc3Q+/gone=',
      connectedAt: now,
      expiresAt: now / 1000 + 600,
    });
    await ghostStore.subscribe('Z2hvc3Q+/gone=', 'iam/t', {
      expiresAt: now / 1000 + 600,
      maxSubscriptions: 10,
    });
    // Two handlers stand for two Lambda containers: the second sees the key only through the table.
    const containers = [0, 1].map(() =>
      createPublishHandler(
        runtimeConfig(tableName, server.managementEndpoint),
        loadAuthConfig(ENV, 'required'),
        'keys',
        { dynamoDb: publishClient, managementClients },
      ),
    );
    const positions: unknown[] = [];
    for (const publish of containers) {
      const result = (await publish(
        publishEvent({ topic: 'iam/t', data: 'x', idempotencyKey: 'p1' }),
      )) as APIGatewayProxyStructuredResultV2;
      expect(result.statusCode).toBe(200);
      positions.push(JSON.parse(result.body as string).offset);
    }
    expect(positions[0]).toEqual(expect.any(Number));
    expect(positions[1]).toBe(positions[0]);
    expect(await ghostStore.getConnection('Z2hvc3Q+/gone=')).toBeUndefined();
    await a.close();
    await ghostStore.close?.();

    // The scenario really exercised the write paths.
    expect([...publishActions]).toEqual(
      expect.arrayContaining([
        'dynamodb:Query',
        'dynamodb:UpdateItem',
        'dynamodb:PutItem',
        'dynamodb:DeleteItem',
      ]),
    );
    expect([...websocketActions]).toEqual(expect.arrayContaining(['dynamodb:Query', 'dynamodb:UpdateItem']));
    const granted = (list: readonly string[]) => (action: string) => list.includes(action);
    expect([...websocketActions].filter((action) => !granted(TableActions)(action))).toEqual([]);
    expect([...publishActions].filter((action) => !granted(PublishTableActions)(action))).toEqual([]);
  });
  it('on the sharded path: the worker uses only WorkerTableActions and WorkerQueueActions, publishers only sqs:SendMessage', async () => {
    const sqs = await startSqsStandIn();
    const queue = sqs.createQueue('iam-fanout');
    const publishSqs = createSqsClient(sqs.endpoint);
    const workerSqs = createSqsClient(sqs.endpoint);
    const workerDynamo = createDynamoDbClient({ endpoint });
    const publishSqsActions = recordSqsActions(publishSqs);
    const workerSqsActions = recordSqsActions(workerSqs);
    const workerActions = recordActions(workerDynamo);
    const config = {
      ...runtimeConfig(tableName, server.managementEndpoint),
      fanoutQueueUrl: queue.url,
      sqsEndpoint: sqs.endpoint,
      fanoutThreshold: 1,
    };
    try {
      // Two subscribers, one of them a ghost: the shard meets a 410 and removes it.
      const reader = await Probe.open(server.url);
      await reader.request({ type: 'subscribe', topic: 'iam/wide', id: 1 });
      const ghosts = new DynamoDbStore({ client: createDynamoDbClient({ endpoint }), tableName });
      const now = Date.now();
      await ghosts.putConnection({
        connectionId: 'Z2hvc3Q+/wide=',
        connectedAt: now,
        expiresAt: now / 1000 + 600,
      });
      await ghosts.subscribe('Z2hvc3Q+/wide=', 'iam/wide', {
        expiresAt: now / 1000 + 600,
        maxSubscriptions: 10,
      });
      const publish = createPublishHandler(config, loadAuthConfig(ENV, 'required'), 'keys', {
        dynamoDb: publishClient,
        managementClients,
        sqs: publishSqs,
      });
      const result = (await publish(
        publishEvent({ topic: 'iam/wide', data: 'w' }),
      )) as APIGatewayProxyStructuredResultV2;
      expect(JSON.parse(result.body as string)).toMatchObject({ scheduled: expect.any(Number) });
      const bodies = queue.messages().map((message) => message.body);
      expect(bodies.length).toBeGreaterThanOrEqual(2);
      // One more shard that carries no frame: the worker reads the message back from history.
      const { frame: _frame, ...first } = JSON.parse(bodies[0] as string);
      bodies.push(JSON.stringify({ ...first, id: 'by-reference', ref: { epoch: 'unknown', offset: 1 } }));
      const worker = createWorkerHandler(config, {
        dynamoDb: workerDynamo,
        managementClients,
        sqs: workerSqs,
      });
      const event: SQSEvent = {
        Records: bodies.map((body, index) => ({
          messageId: `m${index}`,
          receiptHandle: `r${index}`,
          body,
          attributes: {
            ApproximateReceiveCount: '1',
            SentTimestamp: '0',
            SenderId: 'x',
            ApproximateFirstReceiveTimestamp: '0',
          },
          messageAttributes: {},
          md5OfBody: '',
          eventSource: 'aws:sqs',
          eventSourceARN: queue.arn,
          awsRegion: 'us-east-1',
        })),
      };
      const context = { getRemainingTimeInMillis: () => 20_000 } as unknown as Context;
      expect(await worker(event, context)).toEqual({ batchItemFailures: [] });
      expect(await ghosts.getConnection('Z2hvc3Q+/wide=')).toBeUndefined();
      await reader.close();
      await ghosts.close?.();

      expect([...workerActions]).toEqual(
        expect.arrayContaining([
          'dynamodb:Query',
          'dynamodb:GetItem',
          'dynamodb:PutItem',
          'dynamodb:DeleteItem',
        ]),
      );
      expect(
        [...workerActions].filter((action) => !(WorkerTableActions as readonly string[]).includes(action)),
      ).toEqual([]);
      expect([...publishSqsActions]).toEqual(['sqs:SendMessage']);
      expect(
        [...workerSqsActions].filter((action) => !(WorkerQueueActions as readonly string[]).includes(action)),
      ).toEqual([]);
      expect(
        [...publishActions].filter((action) => !(PublishTableActions as readonly string[]).includes(action)),
      ).toEqual([]);
    } finally {
      for (const client of [publishSqs, workerSqs, workerDynamo]) client.destroy();
      await sqs.close();
    }
  });
});
