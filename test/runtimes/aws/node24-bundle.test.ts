/**
 * The deployed artefact on the deployed runtime: the WebSocket and publish handlers bundled exactly as both
 * deploy tools bundle them (deploy/model BundlingModel: esbuild, CommonJS, SDK included, target node24),
 * run by Node 24 (`npx -p node@24`, the npm registry's `node` package) on `$connect`, a `$default`
 * subscribe, a `POST /publish` and `$disconnect`, against DynamoDB Local, a `@connections` stand-in, and
 * the auth secret read from a Secrets Manager stand-in at cold start.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { BundlingModel, FunctionModel, PublishFunctionModel } from '../../../deploy/model/index.ts';
import { LambdaEnvironment } from '../../../src/stores/dynamodb/table-design.ts';
import { hsToken } from '../../security/support/tokens.ts';
import {
  AwsSecretsEndpoint,
  secretsEndpointEnvironment,
  TestSecretArn,
} from '../../support/aws-secrets-endpoint.ts';
import { freshTable } from '../../support/dynamodb-test-table.ts';
import { publishEvent, wsEvent } from '../../support/events.ts';
import { rowsOfConnection } from '../../support/table-rows.ts';

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const runner = fileURLToPath(new URL('./support/bundle-runner.mjs', import.meta.url));
const SECRET = 'node24-bundle-secret-at-least-32-bytes-long';
const API_KEY = 'node24-bundle-api-key-0123';

const outdir = mkdtempSync(join(tmpdir(), 'topicsocket-node24-'));
const secrets = new AwsSecretsEndpoint();
/** `@connections` stand-in: records every POST (path, body), answers 200 as API Gateway does. */
const posts: { path: string; body: string }[] = [];
let connections: Server;

beforeAll(async () => {
  await secrets.start();
  secrets.secrets.set(
    TestSecretArn,
    JSON.stringify({ TOPICSOCKET_JWT_SECRET: SECRET, TOPICSOCKET_API_KEYS: API_KEY }),
  );
  connections = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      posts.push({ path: decodeURIComponent(req.url ?? ''), body });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => connections.listen(0, '127.0.0.1', resolve));
  await Promise.all(
    [FunctionModel, PublishFunctionModel].map((spec) =>
      build({
        entryPoints: [join(repoRoot, spec.entry)],
        outfile: join(outdir, spec.name, 'index.js'),
        bundle: true,
        platform: 'node',
        minify: BundlingModel.minify,
        sourcemap: BundlingModel.sourceMap,
        target: BundlingModel.target,
        format: BundlingModel.format,
        external: [...BundlingModel.externalModules],
        logLevel: 'silent',
      }),
    ),
  );
});

afterAll(async () => {
  await secrets.stop();
  connections.closeAllConnections();
  await new Promise<void>((resolve) => connections.close(() => resolve()));
  rmSync(outdir, { recursive: true, force: true });
});

it('runs the bundled handlers under Node 24: connect, subscribe, publish (delivered), disconnect', {
  timeout: 180_000,
}, async () => {
  const { client, tableName, endpoint } = await freshTable('node24');
  const managementEndpoint = `http://127.0.0.1:${(connections.address() as AddressInfo).port}`;
  const connectionId = 'Node24ConnId=';
  const token = await hsToken({ subscribe: ['news'], publish: ['news'] }, SECRET);
  const connect = wsEvent('$connect', connectionId, undefined, { queryStringParameters: { token } } as never);
  const publish = publishEvent(
    { topic: 'news', data: { headline: 'on node 24' } },
    { 'x-api-key': API_KEY },
    { requestId: 'pub-1', routeKey: 'POST /publish', stage: '$default' },
  );
  const websocket = join(outdir, FunctionModel.name, 'index.js');
  const publishBundle = join(outdir, PublishFunctionModel.name, 'index.js');
  const planFile = join(outdir, 'plan.json');
  writeFileSync(
    planFile,
    JSON.stringify({
      steps: [
        { bundle: websocket, event: connect },
        {
          bundle: websocket,
          event: wsEvent(
            '$default',
            connectionId,
            JSON.stringify({ type: 'subscribe', topic: 'news', id: 1 }),
          ),
        },
        { bundle: publishBundle, event: publish },
        { bundle: websocket, event: wsEvent('$disconnect', connectionId) },
      ],
    }),
  );
  const { stdout } = await run('npx', ['-y', '-p', 'node@24', 'node', runner, planFile], {
    cwd: outdir,
    timeout: 170_000,
    maxBuffer: 16 * 1024 * 1024,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      npm_config_cache: process.env.npm_config_cache,
      ...secretsEndpointEnvironment(secrets.url),
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      POWERTOOLS_LOG_LEVEL: 'ERROR',
      [LambdaEnvironment.tableName]: tableName,
      [LambdaEnvironment.dynamodbEndpoint]: endpoint,
      [LambdaEnvironment.managementEndpoint]: managementEndpoint,
      TOPICSOCKET_AUTH_SECRET_ARN: TestSecretArn,
      TOPICSOCKET_PUBLISH_AUTH: 'keys',
    } as NodeJS.ProcessEnv,
  });
  const line = stdout
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('{"node"'))
    .pop()!;
  const { node, results } = JSON.parse(line) as {
    node: string;
    results: { ok: boolean; result?: { statusCode: number; body?: string }; error?: string }[];
  };
  expect(node).toMatch(/^v24\./);
  expect(results.map((r) => r.error)).toEqual([undefined, undefined, undefined, undefined]);
  const [connected, subscribed, published, disconnected] = results.map((r) => r.result!);
  expect(connected!.statusCode).toBe(200);
  expect(JSON.parse(subscribed!.body!)).toMatchObject({ type: 'subscribed', topic: 'news', id: 1 });
  expect(JSON.parse(published!.body!)).toMatchObject({ topic: 'news', delivered: 1, failed: 0 });
  expect(disconnected!.statusCode).toBe(200);
  // The delivery reached the subscriber through @connections, and the secret was read once per bundle.
  expect(posts.map((p) => [p.path, JSON.parse(p.body).data])).toEqual([
    [`/@connections/${connectionId}`, { headline: 'on node 24' }],
  ]);
  expect(secrets.requests.map((r) => r.target)).toEqual([
    'secretsmanager.GetSecretValue',
    'secretsmanager.GetSecretValue',
  ]);
  expect(await rowsOfConnection(client, tableName, connectionId)).toEqual([]);
});
