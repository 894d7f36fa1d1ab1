/**
 * The AWS-path environment of the aws-fanout bench: DynamoDB Local behind a latency proxy, the table with
 * its subscriber rows, the stand-in `@connections` endpoint, and Lambda-like containers running the
 * function bundles exactly as the deploy tools build them.
 *
 * More functions (the sharded fan-out worker, sharded-path.ts): build its bundle with `bundle(entry)` and
 * start containers with `container(name, bundle, endpoint, extraEnv)`.
 */
import { type ChildProcess, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BatchWriteCommand, DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mapLimit } from '../../src/core/util/map-limit.ts';
import { createDynamoDbClient, ensureTable } from '../../src/stores/dynamodb/index.ts';
import { Keys } from '../../src/stores/dynamodb/keys.ts';
import { LambdaEnvironment, TableDesign } from '../../src/stores/dynamodb/table-design.ts';
import { startDynamoDbLocal, waitUntilAnswering } from '../../test/support/dynamodb-local.ts';
import { onCleanup } from '../children.ts';
import { buildLambdaBundle } from '../lambda-bundle.ts';
import { LambdaHost } from './lambda-host.ts';
import { startLatencyProxy } from './latency-proxy.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** The connection that publishes in every scenario; its claims are read with a GetItem, as deployed. */
export const PUBLISHER_ID = 'PubLisher0AAA=';
const JWT_SECRET = 'aws-fanout-bench-secret-of-at-least-32-bytes';

export interface AwsEnvironment {
  tableName: string;
  /** DynamoDB Local's JVM, whose CPU the rows report (it shares the machine with the functions). */
  dynamoDbLocalPid: number | undefined;
  /** DynamoDB requests the functions made, by operation (through the proxy). */
  dynamoDbRequests: Map<string, number>;
  bundle(entry: string): Promise<string>;
  /** The same entry as it was at git revision `rev` (a same-run baseline of the code before a change). */
  bundleAt(rev: string, entry: string): Promise<string>;
  /** A new Lambda-like container for `bundle`, configured as deployed, `@connections` at `managementEndpoint`. */
  container(
    name: string,
    bundle: string,
    managementEndpoint: string,
    extraEnv?: Record<string, string>,
  ): Promise<LambdaHost>;
  /** Subscription rows for `topic`: `ids`, in the store's layout (no sockets: rows are all a fan-out reads). */
  seedSubscribers(topic: string, ids: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

export async function startAwsEnvironment(options: { dynamoDbLatencyMs: number }): Promise<AwsEnvironment> {
  const db = await startDynamoDbLocal();
  const forgetDb = onCleanup(() => void db.stop());
  await waitUntilAnswering(db.endpoint);
  const proxy = await startLatencyProxy(db.endpoint, options.dynamoDbLatencyMs);
  const tableName = `aws-fanout-${Date.now()}`;
  const client = createDynamoDbClient({ endpoint: db.endpoint });
  const doc = DynamoDBDocumentClient.from(client);
  await ensureTable(client, tableName);
  const ttl = Math.floor(Date.now() / 1000) + 86_400;
  await doc.send(
    new PutCommand({
      TableName: tableName,
      Item: {
        ...Keys.connection(PUBLISHER_ID),
        connectionId: PUBLISHER_ID,
        connectedAt: Date.now(),
        [TableDesign.ttlAttribute]: ttl,
        topics: {},
        claims: { sub: 'bench', exp: ttl, publish: ['*'], subscribe: ['*'] },
      },
    }),
  );
  const dir = mkdtempSync(join(tmpdir(), 'topicsocket-aws-fanout-'));
  const bundles = new Map<string, Promise<string>>();
  const hosts = new Set<LambdaHost>();
  const trackChild = (child: ChildProcess) => onCleanup(() => child.kill('SIGKILL'));

  return {
    tableName,
    dynamoDbLocalPid: db.pid,
    dynamoDbRequests: proxy.byOperation,
    bundle(entry) {
      let built = bundles.get(entry);
      if (!built) {
        const outfile = join(dir, `${entry.replace(/[^a-z0-9]+/gi, '-')}.cjs`);
        built = buildLambdaBundle(entry, outfile).then(() => outfile);
        bundles.set(entry, built);
      }
      return built;
    },
    async bundleAt(rev, entry) {
      const sources = join(dir, `rev-${rev.replace(/[^a-z0-9]+/gi, '')}`);
      mkdirSync(sources, { recursive: true });
      const archive = execFileSync('git', ['archive', rev, 'src'], {
        cwd: repoRoot,
        maxBuffer: 64 * 1024 * 1024,
      });
      execFileSync('tar', ['-x', '-C', sources], { input: archive });
      const outfile = join(
        dir,
        `rev-${rev.replace(/[^a-z0-9]+/gi, '')}-${entry.replace(/[^a-z0-9]+/gi, '-')}.cjs`,
      );
      await buildLambdaBundle(entry, outfile, sources);
      return outfile;
    },
    async container(name, bundle, managementEndpoint, extraEnv = {}) {
      const host = await LambdaHost.start(
        name,
        bundle,
        {
          [LambdaEnvironment.tableName]: tableName,
          [LambdaEnvironment.dynamodbEndpoint]: proxy.endpoint,
          [LambdaEnvironment.managementEndpoint]: managementEndpoint,
          // The deployed default: auth required (the publisher's claims come from its connection row).
          TOPICSOCKET_JWT_SECRET: JWT_SECRET,
          AWS_REGION: 'us-east-1',
          AWS_ACCESS_KEY_ID: 'AKIDBENCH',
          AWS_SECRET_ACCESS_KEY: 'bench-secret',
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
          POWERTOOLS_LOG_LEVEL: 'ERROR',
          ...extraEnv,
        },
        trackChild,
      );
      hosts.add(host);
      return host;
    },
    async seedSubscribers(topic, ids) {
      const chunks: string[][] = [];
      for (let i = 0; i < ids.length; i += 25) chunks.push(ids.slice(i, i + 25));
      await mapLimit(chunks, 8, async (chunk) => {
        let pending = chunk.map((id) => ({
          PutRequest: { Item: { ...Keys.subscription(topic, id), [TableDesign.ttlAttribute]: ttl } },
        }));
        while (pending.length > 0) {
          const out = await doc.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending } }));
          pending = (out.UnprocessedItems?.[tableName] ?? []) as typeof pending;
        }
      });
    },
    async close() {
      for (const host of hosts) await host.stop();
      client.destroy();
      await proxy.close();
      forgetDb();
      await db.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
