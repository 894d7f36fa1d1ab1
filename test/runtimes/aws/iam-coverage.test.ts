/**
 * IAM grants = what the code calls, both ways. The deployed roles grant hand-kept lists (TableActions,
 * PublishTableActions, WorkerTableActions, WorkerQueueActions, the publishers' sqs:SendMessage, the
 * `@connections` methods); one rule maps an SDK request to its IAM action (deploy/model/iam-actions.ts).
 * - Per function, at run time: each function goes through every path that touches AWS, every request its
 *   clients send is recorded, and the actions used must equal the actions granted (used ⊆ granted: no
 *   AccessDenied in production; granted ⊆ used: no grant left over).
 * - Over the shipped code, statically: every SDK command the Lambda bundles construct (esbuild's view of
 *   what ships) must have a known action, and together they must need exactly what is granted, so a new
 *   command on a path the scenarios miss fails here too.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyStructuredResultV2, Context, SQSEvent } from 'aws-lambda';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkerQueueActions, WorkerTableActions } from '../../../deploy/model/fanout.ts';
import {
  EventSourceMappingQueueActions,
  iamActionsOf,
  type SdkService,
  type TransactionItemKind,
  UnknownSdkCommandError,
} from '../../../deploy/model/iam-actions.ts';
import {
  AuthorizerFunctionModel,
  BundlingModel,
  ConnectionMethods,
  FunctionModel,
  fanoutSendStatement,
  PublishFunctionModel,
  PublishTableActions,
  WorkerFunctionModel,
} from '../../../deploy/model/index.ts';
import { loadAuthConfig } from '../../../src/core/auth/index.ts';
import { ManagementClients } from '../../../src/runtimes/aws/management-clients.ts';
import { createPublishHandler } from '../../../src/runtimes/aws/publish-handler.ts';
import { createSqsClient } from '../../../src/runtimes/aws/sqs-fanout-queue.ts';
import { createWorkerHandler } from '../../../src/runtimes/aws/worker-handler.ts';
import type { LocalServer } from '../../../src/runtimes/local/index.ts';
import { createDynamoDbClient, DynamoDbStore, TableActions } from '../../../src/stores/dynamodb/index.ts';
import { Probe } from '../../security/support/probe.ts';
import { publishEvent } from '../../support/events.ts';
import { type LambdaOnEmulator, startLambdaOnEmulator } from '../../support/lambda-on-emulator.ts';
import { localManagementClient } from '../../support/management-client.ts';
import { injectFault } from '../../support/sdk-faults.ts';
import { startSqsStandIn } from '../../support/sqs-stand-in.ts';

/** Records the IAM action of every SQS request a client sends. */
function recordSqsActions(client: SQSClient): Set<string> {
  const actions = new Set<string>();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      for (const action of iamActionsOf('sqs', String(context.commandName))) actions.add(action);
      return next(args);
    },
    { step: 'initialize', name: 'record-sqs-actions' },
  );
  return actions;
}

const API_KEY = 'iam-coverage-api-key-000001';
const ENV = { TOPICSOCKET_AUTH: 'open', TOPICSOCKET_API_KEYS: API_KEY };

/** The kinds of item a transaction's input holds. */
function transactionItems(input: Record<string, unknown>): TransactionItemKind[] {
  const items = (input.TransactItems ?? []) as Array<Record<string, unknown>>;
  return items.map((item) => Object.keys(item)[0] as TransactionItemKind);
}

/** Records the IAM actions of every DynamoDB request a client sends. */
function recordActions(client: DynamoDBClient): Set<string> {
  const actions = new Set<string>();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as Record<string, unknown>;
      for (const action of iamActionsOf('dynamodb', String(context.commandName), transactionItems(input))) {
        actions.add(action);
      }
      return next(args);
    },
    { step: 'initialize', name: 'record-iam-actions' },
  );
  return actions;
}

/** What is used but not granted, and what is granted but never used: both must be empty. */
function grantGaps(used: Iterable<string>, granted: readonly string[]) {
  const usedSet = new Set(used);
  return {
    usedNotGranted: [...usedSet].filter((action) => !granted.includes(action)).sort(),
    grantedNotUsed: granted.filter((action) => !usedSet.has(action)).sort(),
  };
}

const noGaps = { usedNotGranted: [], grantedNotUsed: [] };

/** Connections in the table that no client holds (posts to them answer 410), subscribed to `topic`. */
async function subscribedGhosts(
  endpoint: string,
  tableName: string,
  topic: string,
  connectionIds: string[],
): Promise<DynamoDbStore> {
  const store = new DynamoDbStore({ client: createDynamoDbClient({ endpoint }), tableName });
  const now = Date.now();
  for (const connectionId of connectionIds) {
    await store.putConnection({ connectionId, connectedAt: now, expiresAt: now / 1000 + 600 });
    await store.subscribe(connectionId, topic, { expiresAt: now / 1000 + 600, maxSubscriptions: 10 });
  }
  return store;
}

describe('IAM grants cover every DynamoDB request', () => {
  let fixture: LambdaOnEmulator;
  let server: LocalServer;
  let tableName: string;
  let endpoint: string;
  let publishClient: DynamoDBClient;
  let websocketActions: Set<string>;
  let publishActions: Set<string>;
  const managementClients = new ManagementClients((url) => localManagementClient(url));

  beforeAll(async () => {
    fixture = await startLambdaOnEmulator({
      table: 'iam-coverage',
      quiet: true,
      managementClients,
      dependencies: { auth: loadAuthConfig(ENV, 'required') },
    });
    ({ server } = fixture);
    ({ tableName, endpoint } = fixture.table);
    // Recorded from now on: the table's creation is the test's, not the function's.
    websocketActions = recordActions(fixture.table.client);
    publishClient = createDynamoDbClient({ endpoint });
    publishActions = recordActions(publishClient);
  });

  afterAll(async () => {
    await fixture?.close();
    managementClients.destroy();
    publishClient?.destroy();
  });

  it('the WebSocket function uses exactly TableActions, the publish function exactly PublishTableActions', async () => {
    // WebSocket routes: connect, subscribe (plain and with since), publish (with an idempotency key, twice;
    // and to a ghost subscriber whose 410 triggers cleanup), history, unsubscribe, disconnect.
    const wsGhosts = await subscribedGhosts(endpoint, tableName, 'iam/ws', ['Z2hvc3Q+/ws=']);
    const a = await Probe.open(server.url);
    const b = await Probe.open(server.url);
    await b.request({ type: 'publish', topic: 'iam/ws', data: 0, id: 7 });
    expect(await wsGhosts.getConnection('Z2hvc3Q+/ws=')).toBeUndefined();
    await wsGhosts.close?.();
    await a.request({ type: 'subscribe', topic: 'iam/t', id: 1 });
    const first = await b.request({ type: 'publish', topic: 'iam/t', data: 1, idempotencyKey: 'k1', id: 2 });
    await b.request({ type: 'publish', topic: 'iam/t', data: 1, idempotencyKey: 'k1', id: 3 });
    await b.request({ type: 'subscribe', topic: 'iam/t', since: { epoch: first.epoch, offset: 0 }, id: 4 });
    await b.request({ type: 'history', topic: 'iam/t', limit: 10, id: 5 });
    await b.request({ type: 'unsubscribe', topic: 'iam/t', id: 6 });
    await b.close();

    // The publish route: a duplicate idempotency key, and a ghost subscriber whose 410 triggers cleanup.
    const ghostStore = await subscribedGhosts(endpoint, tableName, 'iam/t', ['Z2hvc3Q+/gone=']);
    // Two handlers stand for two Lambda containers: the second sees the key only through the table.
    const containers = [0, 1].map(() =>
      createPublishHandler(fixture.config, loadAuthConfig(ENV, 'required'), 'keys', {
        dynamoDb: publishClient,
        managementClients,
      }),
    );
    const positions: unknown[] = [];
    for (const publish of containers) {
      const result = (await publish(
        publishEvent({ topic: 'iam/t', data: 'x', idempotencyKey: 'p1' }, { 'x-api-key': API_KEY }),
      )) as APIGatewayProxyStructuredResultV2;
      expect(result.statusCode).toBe(200);
      positions.push(JSON.parse(result.body as string).offset);
    }
    expect(positions[0]).toEqual(expect.any(Number));
    expect(positions[1]).toBe(positions[0]);
    expect(await ghostStore.getConnection('Z2hvc3Q+/gone=')).toBeUndefined();
    await a.close();
    await ghostStore.close?.();

    expect(grantGaps(websocketActions, TableActions)).toEqual(noGaps);
    expect(grantGaps(publishActions, PublishTableActions)).toEqual(noGaps);
  });
  it('on the sharded path: the worker uses exactly its table and queue actions, the publishers exactly sqs:SendMessage', async () => {
    const sqs = await startSqsStandIn();
    const queue = sqs.createQueue('iam-fanout');
    const publishSqs = createSqsClient(sqs.endpoint);
    const workerSqs = createSqsClient(sqs.endpoint);
    const workerDynamo = createDynamoDbClient({ endpoint });
    const publishSqsActions = recordSqsActions(publishSqs);
    const workerSqsActions = recordSqsActions(workerSqs);
    const workerActions = recordActions(workerDynamo);
    const config = {
      ...fixture.config,
      fanoutQueueUrl: queue.url,
      sqsEndpoint: sqs.endpoint,
      fanoutThreshold: 1,
    };
    try {
      // Three subscribers: a live one, a ghost (the shard meets a 410 and removes it) and a flaky one whose
      // posts fail with 500s (the worker hands it back to the queue as a retry shard).
      const reader = await Probe.open(server.url);
      await reader.request({ type: 'subscribe', topic: 'iam/wide', id: 1 });
      const ghosts = new DynamoDbStore({ client: createDynamoDbClient({ endpoint }), tableName });
      const now = Date.now();
      for (const connectionId of ['Z2hvc3Q+/wide=', 'Zmxha3k+/wide=']) {
        await ghosts.putConnection({ connectionId, connectedAt: now, expiresAt: now / 1000 + 600 });
        await ghosts.subscribe(connectionId, 'iam/wide', {
          expiresAt: now / 1000 + 600,
          maxSubscriptions: 10,
          // A presence member: removing the ghost counts its leave (the churn cap's UpdateItem).
          ...(connectionId.startsWith('Z2hvc3Q') ? { presence: { claims: [] } } : {}),
        });
      }
      const publish = createPublishHandler(config, loadAuthConfig(ENV, 'required'), 'keys', {
        dynamoDb: publishClient,
        managementClients,
        sqs: publishSqs,
      });
      const result = (await publish(
        publishEvent({ topic: 'iam/wide', data: 'w' }, { 'x-api-key': API_KEY }),
      )) as APIGatewayProxyStructuredResultV2;
      expect(JSON.parse(result.body as string)).toMatchObject({ scheduled: expect.any(Number) });
      const bodies = queue.messages().map((message) => message.body);
      expect(bodies.length).toBeGreaterThanOrEqual(2);
      // One more shard that carries no frame: the worker reads the message back from history.
      const { frame: _frame, ...first } = JSON.parse(bodies[0] as string);
      bodies.push(JSON.stringify({ ...first, id: 'by-reference', ref: { epoch: 'unknown', offset: 1 } }));
      // SDK posts, so a fault can be injected for the flaky receiver; everything else reaches the emulator.
      const workerClients = new ManagementClients(
        (url) => {
          const client = localManagementClient(url);
          injectFault(client, ({ commandName, input }) =>
            commandName === 'PostToConnectionCommand' && input.ConnectionId === 'Zmxha3k+/wide='
              ? Object.assign(new Error('internal'), {
                  name: 'InternalServerErrorException',
                  $fault: 'server',
                })
              : undefined,
          );
          return client;
        },
        { posts: 'sdk' },
      );
      const worker = createWorkerHandler(config, {
        dynamoDb: workerDynamo,
        managementClients: workerClients,
        sqs: workerSqs,
        postRetry: { maxAttempts: 1 },
      });
      // And a record that is no shard at all: it fails, and its visibility is shortened for a retry soon.
      bodies.push('not a shard');
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
      expect(await worker(event, context)).toEqual({
        batchItemFailures: [{ itemIdentifier: `m${bodies.length - 1}` }],
      });
      workerClients.destroy();
      expect(await ghosts.getConnection('Z2hvc3Q+/wide=')).toBeUndefined();
      const retries = queue.messages().slice(bodies.length - 2);
      expect(retries.map((message) => JSON.parse(message.body).receivers)).toContainEqual(['Zmxha3k+/wide=']);
      await reader.close();
      await ghosts.close?.();

      expect(grantGaps(workerActions, WorkerTableActions)).toEqual(noGaps);
      // The event source mapping receives and deletes for the worker; its code does the rest.
      const workerCodeQueueActions = WorkerQueueActions.filter(
        (action) => !(EventSourceMappingQueueActions as readonly string[]).includes(action),
      );
      expect(grantGaps(workerSqsActions, workerCodeQueueActions)).toEqual(noGaps);
      expect(grantGaps(publishSqsActions, fanoutSendStatement('queue').actions)).toEqual(noGaps);
      expect(grantGaps(publishActions, PublishTableActions)).toEqual(noGaps);
    } finally {
      for (const client of [publishSqs, workerSqs, workerDynamo]) client.destroy();
      await sqs.close();
    }
  });
});

/** The package a command class is imported from names its service. */
const servicesByPackage: Readonly<Record<string, SdkService>> = {
  '@aws-sdk/client-dynamodb': 'dynamodb',
  '@aws-sdk/lib-dynamodb': 'dynamodb',
  '@aws-sdk/client-sqs': 'sqs',
  '@aws-sdk/client-apigatewaymanagementapi': 'execute-api',
};

/** The argument text of the call that opens at `start` (just after its `(`). */
function callArguments(source: string, start: number): string {
  let depth = 1;
  let index = start;
  while (depth > 0 && index < source.length) {
    const char = source[index++];
    if (char === '(') depth++;
    else if (char === ')') depth--;
  }
  return source.slice(start, index - 1);
}

interface ConstructedCommand {
  file: string;
  service: SdkService | undefined;
  command: string;
  transactionItems: TransactionItemKind[];
}

/** Every `new XCommand(...)` of a source file, with the package it comes from and a transaction's items. */
function constructedCommands(file: string, source: string): ConstructedCommand[] {
  const origin = new Map<string, string>();
  for (const match of source.matchAll(/import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*'([^']+)'/g)) {
    for (const name of (match[1] ?? '').split(',')) {
      const imported = name
        .replace(/^\s*type\s+/, '')
        .split(/\s+as\s+/)[0]
        ?.trim();
      if (imported) origin.set(imported, match[2] ?? '');
    }
  }
  return [...source.matchAll(/new\s+(\w+Command)\s*\(/g)].map((match) => {
    const command = match[1] ?? '';
    const args = callArguments(source, (match.index ?? 0) + match[0].length);
    const items = [...args.matchAll(/\b(Put|Update|Delete|ConditionCheck|Get)\s*:/g)].map(
      (item) => item[1] as TransactionItemKind,
    );
    return {
      file,
      service: servicesByPackage[origin.get(command) ?? ''],
      command,
      transactionItems: /^Transact/.test(command) ? [...new Set(items)] : [],
    };
  });
}

/** The repository's source files that end up in a function's bundle (esbuild's metafile: bytes shipped). */
async function shippedSources(entry: string): Promise<string[]> {
  const result = await build({
    entryPoints: [join(repoRoot, entry)],
    bundle: true,
    platform: 'node',
    format: 'esm',
    mainFields: [...BundlingModel.mainFields],
    write: false,
    metafile: true,
    absWorkingDir: repoRoot,
    outfile: join(repoRoot, 'iam-coverage.js'),
    logLevel: 'silent',
  });
  const [output] = Object.values(result.metafile.outputs);
  return Object.entries(output?.inputs ?? {})
    .filter(([path, input]) => path.startsWith('src/') && input.bytesInOutput > 0)
    .map(([path]) => path);
}

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** What each deployed function's role grants, as the rule's actions (execute-api: the methods). */
const grants = {
  dynamodb: [...new Set([...TableActions, ...PublishTableActions, ...WorkerTableActions])].sort(),
  sqs: [
    ...new Set([
      ...fanoutSendStatement('queue').actions,
      ...WorkerQueueActions.filter(
        (action) => !(EventSourceMappingQueueActions as readonly string[]).includes(action),
      ),
    ]),
  ].sort(),
  'execute-api': [...ConnectionMethods].sort(),
};

describe('IAM grants cover exactly the SDK commands the shipped code constructs', () => {
  it('every command of every Lambda bundle has a known action; together they need exactly the grants', async () => {
    const entries = [FunctionModel, PublishFunctionModel, WorkerFunctionModel, AuthorizerFunctionModel];
    const commands = new Map<string, ConstructedCommand[]>();
    for (const spec of entries) {
      const files = await shippedSources(spec.entry);
      expect(files).toContain(spec.entry);
      commands.set(
        spec.name,
        files.flatMap((file) => constructedCommands(file, readFileSync(join(repoRoot, file), 'utf8'))),
      );
    }
    const all = [...commands.values()].flat();
    // A command from a package the rule has no service for is a new kind of call: examine and grant it.
    expect(all.filter((found) => found.service === undefined)).toEqual([]);
    const needed: Record<SdkService, Set<string>> = {
      dynamodb: new Set(),
      sqs: new Set(),
      'execute-api': new Set(),
    };
    for (const found of all) {
      const service = found.service as SdkService;
      for (const action of iamActionsOf(service, found.command, found.transactionItems)) {
        needed[service].add(action);
      }
    }
    // The store's transactions were seen with their items (Put, Update, Delete today).
    expect(all.filter((found) => found.command === 'TransactWriteCommand').length).toBeGreaterThan(0);
    expect(
      all.filter((found) => found.command === 'TransactWriteCommand' && found.transactionItems.length === 0),
    ).toEqual([]);
    expect({
      dynamodb: [...needed.dynamodb].sort(),
      sqs: [...needed.sqs].sort(),
      'execute-api': [...needed['execute-api']].sort(),
    }).toEqual(grants);
    // The authorizer verifies tokens only: no table, queue or `@connections` call ships in it.
    expect(commands.get(AuthorizerFunctionModel.name)).toEqual([]);
  });

  it('the checks catch a grant left over, a missing grant and a command the rule does not know', () => {
    // dynamodb:ConditionCheckItem was granted to the WebSocket function and never used.
    const used = ['dynamodb:Query', 'dynamodb:PutItem'];
    expect(grantGaps(used, ['dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:ConditionCheckItem'])).toEqual({
      usedNotGranted: [],
      grantedNotUsed: ['dynamodb:ConditionCheckItem'],
    });
    // A store that starts checking a condition in a transaction needs ConditionCheckItem.
    const needs = iamActionsOf('dynamodb', 'TransactWriteCommand', ['Put', 'ConditionCheck']);
    expect(grantGaps(needs, ['dynamodb:PutItem'])).toEqual({
      usedNotGranted: ['dynamodb:ConditionCheckItem'],
      grantedNotUsed: [],
    });
    expect(() => iamActionsOf('dynamodb', 'ExecuteStatementCommand')).toThrow(UnknownSdkCommandError);
    const source = `import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
      send(new TransactWriteCommand({ TransactItems: [{ ConditionCheck: { Key: k } }, { Put: { Item: f(x) } }] }));`;
    expect(constructedCommands('x.ts', source)).toEqual([
      {
        file: 'x.ts',
        service: 'dynamodb',
        command: 'TransactWriteCommand',
        transactionItems: ['ConditionCheck', 'Put'],
      },
    ]);
  });
});
