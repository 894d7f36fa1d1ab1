/**
 * Soak 4: `topicsocket dev --store dynamodb` is killed with SIGKILL in the middle of a publish load (no
 * shutdown, no `$disconnect`), and a new process is started on the same port and table. Subscribers come
 * back with `since` (their last offset) and must get `recovered: true` and every message they missed; the
 * publisher retries what was unanswered with the same idempotency keys. Afterwards no subscription row may
 * point at a connection that is gone once each topic has been published to (the fan-out's 410 cleanup), and
 * every connection row must carry a TTL (the dead process's unsubscribed ones are reclaimed by it).
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { createDynamoDbClient, ensureTable } from '../src/stores/dynamodb/index.ts';
import { dynamoDbDevFlags } from '../test/support/cli-process.ts';
import { type Child, startChild } from './lib/children.ts';
import { type Frame, FramesClient } from './lib/frames-client.ts';
import { Ledger, type LedgerFigures } from './lib/ledger.ts';
import { publisherSlots, steadyPublishes } from './lib/load.ts';

export interface KillDevOptions {
  endpoint: string;
  /** Seconds of load before the kill, and after the restart. */
  secondsBefore: number;
  secondsAfter: number;
  publishesPerSecond?: number;
  subscribers?: number;
}

export interface KillDevResult extends LedgerFigures {
  /**
   * Publishes unanswered when the process died: in flight at the kill, or sent in the 0.1 s after it to the
   * closed socket; each is retried with its idempotency key on the new process.
   */
  inFlightAtKill: number;
  /** Missing deliveries on streams answered `recovered: true` (silent loss). */
  silentMissingDeliveries: number;
  resubscribes: number;
  recovered: number;
  notRecovered: number;
  /** Subscription rows of connections that no longer exist (after one publish per topic). */
  orphanSubscriptionRows: number;
  /**
   * Connection rows left by the dead process (its connections that no fan-out reaches: publishers), reclaimed
   * by their TTL; and connection rows without a TTL at all (must be 0).
   */
  deadConnectionRows: number;
  connectionRowsWithoutTtl: number;
}

async function startDev(
  port: number,
  endpoint: string,
  table: string,
): Promise<{ child: Child; url: string }> {
  const { child, match } = await startChild(
    ['src/cli/main.ts', 'dev', ...dynamoDbDevFlags(port, endpoint, table)],
    /WebSocket URL\s+(ws:\/\/127\.0\.0\.1:\d+)[\s\S]*store\s+dynamodb|store\s+dynamodb[\s\S]*WebSocket URL\s+(ws:\/\/127\.0\.0\.1:\d+)/,
    { TOPICSOCKET_PUBLISH_RATE: 'off' },
  );
  return { child, url: (match[1] ?? match[2]) as string };
}

export async function soakKillDev(options: KillDevOptions): Promise<KillDevResult> {
  const client = createDynamoDbClient({ endpoint: options.endpoint });
  const tableName = `soak-kill-${randomUUID().slice(0, 8)}`;
  await ensureTable(client, tableName);
  const topics = ['soak/kill/0', 'soak/kill/1'];
  const children: Child[] = [];
  const clients: FramesClient[] = [];
  const open = async (url: string) => {
    const c = await FramesClient.open(url);
    clients.push(c);
    return c;
  };
  try {
    const first = await startDev(0, options.endpoint, tableName);
    children.push(first.child);
    const port = Number(new URL(first.url).port);
    const ledger = new Ledger();
    // Each subscriber is a sequence of connections (one per process); its messages are all of theirs.
    const subscribers = await Promise.all(
      Array.from({ length: options.subscribers ?? 10 }, async () => {
        const connection = await open(first.url);
        for (const topic of topics) {
          const reply = await connection.request({ type: 'subscribe', topic });
          if (reply.type !== 'subscribed') throw new Error(`subscribe failed: ${JSON.stringify(reply)}`);
        }
        return { connections: [connection], recoveredTopics: [] as string[] };
      }),
    );
    let publishers = await Promise.all(publisherSlots().map(() => open(first.url)));
    const perSecond = options.publishesPerSecond ?? 40;
    const before = steadyPublishes({
      publishers,
      topics,
      perSecond,
      seconds: options.secondsBefore + 0.1,
      ledger,
      label: 'kill-a',
    });
    // Kill mid-publish: publishes are in flight at every instant of this load.
    await new Promise((resolve) => setTimeout(resolve, options.secondsBefore * 1000));
    await first.child.kill();
    await before;
    const unansweredKeys = [...ledger.topics.keys()].filter((key) => !ledger.acknowledged.has(key));
    const inFlightAtKill = unansweredKeys.length;

    const second = await startDev(port, options.endpoint, tableName);
    children.push(second.child);
    // Subscribers come back with `since`: their last offset per topic, and their epoch.
    let resubscribes = 0;
    let recovered = 0;
    let notRecovered = 0;
    for (const subscriber of subscribers) {
      const seen: Frame[] = subscriber.connections.flatMap((c) => c.messages);
      const connection = await open(second.url);
      for (const topic of topics) {
        const last = seen
          .filter((m) => m.topic === topic)
          .reduce<Frame | undefined>(
            (top, m) => (top && Number(top.offset) >= Number(m.offset) ? top : m),
            undefined,
          );
        const reply = await connection.request({
          type: 'subscribe',
          topic,
          ...(last ? { since: { epoch: last.epoch, offset: last.offset } } : {}),
        });
        resubscribes++;
        if (reply.recovered === true) {
          recovered++;
          subscriber.recoveredTopics.push(topic);
        } else {
          notRecovered++;
        }
      }
      subscriber.connections.push(connection);
    }
    publishers = await Promise.all(publisherSlots().map(() => open(second.url)));
    // What was unanswered at the kill is retried with its idempotency key, then the load goes on.
    ledger.unanswered = 0;
    await Promise.all(
      unansweredKeys.map((key) => ledger.publish(publishers[0]!, ledger.topics.get(key)!, key)),
    );
    await steadyPublishes({
      publishers,
      topics,
      perSecond,
      seconds: options.secondsAfter,
      ledger,
      label: 'kill-b',
    });
    const merged = subscribers.map((subscriber) => ({ client: mergedView(subscriber.connections), topics }));
    // Wait for the replays and live deliveries on the new connections.
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      const figures = await ledger.figures(merged, { client, tableName });
      if (figures.missingDeliveries === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const figures = await ledger.figures(merged, { client, tableName });
    // Deliveries missing on streams the server said were recovered: silent loss (must be 0). The others
    // were answered `recovered: false`, which tells the client it missed messages.
    const silent = await ledger.figures(
      subscribers.map((subscriber) => ({
        client: mergedView(subscriber.connections),
        topics: subscriber.recoveredTopics,
      })),
      { client, tableName },
    );
    const rows = await scan(client, tableName);
    const live = new Set<string>();
    for (const row of rows) if (row.sk === 'C' && typeof row.pk === 'string') live.add(row.pk.slice(2));
    const orphanSubscriptionRows = rows.filter(
      (row) => String(row.pk).startsWith('T#') && !live.has(String(row.sk).slice(2)),
    ).length;
    // Every live connection (on the second process) has its connection row; the rest are the dead process's.
    const liveConnections = clients.filter((c) => c.open).length;
    const connectionRows = rows.filter((row) => row.sk === 'C');
    const deadRows = connectionRows.length - liveConnections;
    const withoutTtl = connectionRows.filter((row) => typeof row.ttl !== 'number').length;
    return {
      ...figures,
      silentMissingDeliveries: silent.missingDeliveries,
      inFlightAtKill,
      resubscribes,
      recovered,
      notRecovered,
      orphanSubscriptionRows,
      deadConnectionRows: deadRows,
      connectionRowsWithoutTtl: withoutTtl,
    };
  } finally {
    await Promise.all(clients.map((c) => c.close()));
    for (const child of children) await child.stop();
    client.destroy();
  }
}

/** The messages of a subscriber's successive connections, as one client for the ledger. */
function mergedView(connections: FramesClient[]): FramesClient {
  // A getter: the view follows messages still arriving on the connections.
  return {
    get messages() {
      return connections.flatMap((c) => c.messages);
    },
  } as unknown as FramesClient;
}

async function scan(client: ReturnType<typeof createDynamoDbClient>, tableName: string) {
  const doc = DynamoDBDocumentClient.from(client);
  const rows: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(
      new ScanCommand({ TableName: tableName, ConsistentRead: true, ExclusiveStartKey: startKey }),
    );
    rows.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return rows;
}
