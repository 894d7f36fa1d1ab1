/**
 * `npm run bench -- --only aws-fanout [--quick | --full]`: the AWS path of a publish, measured.
 *
 * The real WebSocket function bundle (built as deploy/ builds it) runs in a Lambda-like container
 * (lambda-host.ts: one invocation at a time, the 29 s timeout enforced by killing it), on DynamoDB Local
 * behind a 5 ms latency proxy, posting to a stand-in `@connections` endpoint (connections-endpoint.ts:
 * 20 ms per post, the account's token bucket of 10,000/s with a burst of 5,000, 410 for unknown
 * connections, a ledger of every delivery). A publisher's `publish` frame goes through the handler as a
 * `$default` event; subscribers are rows in the table. Reported per topic size N: time to last delivery,
 * the bound max(N / account rate, N / per-worker rate), posts/s, CPU per post, 429s, retries, lost and
 * duplicated deliveries. Also: CPU per post of the SDK's PostToConnectionCommand (the old path, unmodified)
 * against the signed path, in the same run; and an overload: several publishers on big topics at once
 * against an account scaled down so this machine can demand more than 4x its rate.
 *
 * Plugging in the sharded worker (not done yet: it lands with issue 12's item 1):
 * 1. start a queue stand-in (`startQueueStandIn()` in queue-standin.ts: SQS's JSON protocol for
 *    SendMessage/SendMessageBatch, and an event source with batches, partial-batch failures, redelivery
 *    after a timeout and a dead-letter list);
 * 2. give the publishing container and the workers its endpoint and queue URL in `WorkerPlug.env` (the
 *    variable names are the worker's: e.g. AWS_ENDPOINT_URL_SQS and the queue-URL setting);
 * 3. build the worker's bundle with `env.bundle(plug.entry)` and start `plug.instances` containers with
 *    `env.container(...)`; after the publish invocation returns (its ack: "stored and scheduled"), run
 *    `queue.deliver(workers, timeoutMs, restart)` until nothing is queued;
 * 4. compute the row with `rowOf(scenario, n, [publish, ...workerOutcomes], endpoint, topics, account, plug.instances)`:
 *    the ledger, last delivery, CPU (summed over every container) and the bound
 *    (max(N / account rate, N / (instances x per-worker rate))) are computed exactly as for the inline path.
 */
import { fork } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { FunctionModel } from '../../deploy/model/function.ts';
import { onCleanup } from '../children.ts';
import type { ExtraOutcome } from '../outcome.ts';
import {
  type AccountThrottle,
  type ConnectionsEndpoint,
  defaultAccountThrottle,
  startConnectionsEndpoint,
} from './connections-endpoint.ts';
import { type AwsEnvironment, PUBLISHER_ID, startAwsEnvironment } from './environment.ts';
import type { InvocationOutcome, LambdaHost } from './lambda-host.ts';
import { POST_PATHS, type PostPath } from './post-paths.ts';

/** One row of bench/results/aws-fanout.json. */
export interface AwsFanoutRow {
  scenario: string;
  subscribers: number;
  lastDeliveryMs: number;
  boundMs: number;
  ratio: number;
  postsPerSecond: number;
  cpuMsPerPost: number;
  /** 429s the endpoint answered (account throttle and full buffers). */
  throttled: number;
  /** Posts sent again (the function's `postRetries` metric). */
  retries: number;
  lost: number;
  duplicated: number;
  gone: number;
  /** Posts the endpoint received in all. */
  posts: number;
  /** The publishing invocation: its duration, whether Lambda's timeout killed it, and its ack. */
  invocationMs: number;
  timedOut: boolean;
  ack?: string;
  /** The function's own count of receivers given up on (abandonedDeliveries + failedDeliveries). */
  reportedUndelivered: number;
  /** The function stopped reading subscriber pages at its deadline (`truncatedFanouts`): the rest is flagged, not counted. */
  truncated: boolean;
  /** DynamoDB requests of the publishing invocation(s), by operation (counted by the latency proxy). */
  dynamoDbRequests?: Record<string, number>;
  measuredAt: string;
}

/** The seam for the sharded fan-out worker (issue 12, item 1): see the file comment. */
export interface WorkerPlug {
  /** The worker's bundle entry, e.g. `src/runtimes/aws/fanout-worker.ts`. */
  entry: string;
  /** Worker containers running at once (the event source's maximum concurrency). */
  instances: number;
  /** Env for the functions (e.g. the queue stand-in's URL for both the publisher and the workers). */
  env: Record<string, string>;
  /** Hands queued work to idle workers as SQS events until nothing is left (QueueStandIn.deliver). */
  deliver(
    workers: LambdaHost[],
    timeoutMs: number,
    restart: (dead: LambdaHost) => Promise<LambdaHost>,
  ): Promise<InvocationOutcome[]>;
}

const POST_LATENCY_MS = 20;
const DYNAMODB_LATENCY_MS = 5;
const SEND_CONCURRENCY = 50;
const TIMEOUT_MS = FunctionModel.timeoutSeconds * 1000;

/** Per-worker bound: posts in flight over the per-post latency. */
const perWorkerRate = (SEND_CONCURRENCY * 1000) / POST_LATENCY_MS;

const subscriberIds = (topic: string, n: number) =>
  Array.from({ length: n }, (_, i) => `${topic.replace(/[^a-z0-9]/gi, '')}x${i.toString(36)}=`);

function publishEvent(topic: string, sequence: number) {
  const now = Date.now();
  return {
    requestContext: {
      routeKey: '$default',
      eventType: 'MESSAGE',
      connectionId: PUBLISHER_ID,
      connectedAt: now - 1000,
      requestTimeEpoch: now,
      requestId: `bench-${sequence}`,
      messageId: `bench-${sequence}`,
      extendedRequestId: `bench-${sequence}`,
      messageDirection: 'IN',
      stage: 'prod',
      domainName: 'bench.execute-api.us-east-1.amazonaws.com',
      apiId: 'bench',
      requestTime: new Date(now).toISOString(),
      identity: { sourceIp: '127.0.0.1' },
    },
    isBase64Encoded: false,
    body: JSON.stringify({ type: 'publish', topic, data: { text: 'x'.repeat(48), sequence }, id: sequence }),
  };
}

/** The ledger key of the message a publish produced: from its ack, else from what the endpoint saw. */
function messageKey(topic: string, outcome: InvocationOutcome, endpoint: ConnectionsEndpoint, ids: string[]) {
  const body = (outcome.result as { body?: string } | undefined)?.body;
  if (body) {
    const ack = JSON.parse(body) as { epoch?: string; offset?: number };
    if (ack.epoch !== undefined && ack.offset !== undefined) return `${topic} ${ack.epoch} ${ack.offset}`;
  }
  for (const id of ids) {
    for (const key of endpoint.ledger.get(id)?.keys() ?? []) if (key.startsWith(`${topic} `)) return key;
  }
  return `${topic} ?`;
}

let sequence = 0;

/** One publish to a fresh topic of `n` live subscribers (+ `ghosts` rows whose connections are gone). */
async function runFanout(
  env: AwsEnvironment,
  endpoint: ConnectionsEndpoint,
  publisher: LambdaHost,
  n: number,
  ghosts: number,
  account: AccountThrottle,
): Promise<AwsFanoutRow> {
  const topic = `fan/${n}/${++sequence}`;
  const live = subscriberIds(topic, n);
  await env.seedSubscribers(topic, [
    ...live,
    ...Array.from({ length: ghosts }, (_, i) => `ghost${sequence}x${i}=`),
  ]);
  endpoint.resetCounters();
  const before = new Map(env.dynamoDbRequests);
  const outcome = await publisher.invoke(publishEvent(topic, sequence), TIMEOUT_MS);
  const dynamoDbRequests = Object.fromEntries(
    [...env.dynamoDbRequests]
      .map(([operation, count]) => [operation, count - (before.get(operation) ?? 0)] as const)
      .filter(([, count]) => count > 0),
  );
  return { ...rowOf('inline', n, [outcome], endpoint, [{ topic, live }], account), dynamoDbRequests };
}

export function rowOf(
  scenario: string,
  subscribers: number,
  outcomes: InvocationOutcome[],
  endpoint: ConnectionsEndpoint,
  topics: Array<{ topic: string; live: string[] }>,
  account: AccountThrottle,
  /** Containers posting at once: one per publisher inline, the worker instances once sharded. */
  workers = topics.length,
): AwsFanoutRow {
  const c = endpoint.counters;
  let lost = 0;
  let duplicated = 0;
  topics.forEach(({ topic, live }, i) => {
    const verdict = endpoint.verdict(live, [
      messageKey(topic, outcomes[i] as InvocationOutcome, endpoint, live),
    ]);
    lost += verdict.lost;
    duplicated += verdict.duplicated;
  });
  const startedAt = Math.min(...outcomes.map((o) => o.startedAt));
  const cpuMs = outcomes.reduce((sum, o) => sum + o.cpuMs, 0);
  const metric = (name: string) => outcomes.reduce((sum, o) => sum + (o.metrics[name] ?? 0), 0);
  const boundMs = Math.max(subscribers / account.perSecond, subscribers / (perWorkerRate * workers)) * 1000;
  const lastDeliveryMs = c.lastDeliveryAt ? c.lastDeliveryAt - startedAt : 0;
  const first = outcomes[0] as InvocationOutcome;
  const ack = (first.result as { body?: string } | undefined)?.body;
  return {
    scenario,
    subscribers,
    lastDeliveryMs,
    boundMs: Math.round(boundMs),
    ratio: boundMs ? Number((lastDeliveryMs / boundMs).toFixed(2)) : 0,
    postsPerSecond:
      c.lastDeliveryAt > c.firstRequestAt
        ? Math.round((c.delivered * 1000) / (c.lastDeliveryAt - c.firstRequestAt))
        : 0,
    cpuMsPerPost: c.requests ? Number((cpuMs / c.requests).toFixed(3)) : 0,
    throttled: c.accountThrottled + c.bufferFull,
    retries: metric('postRetries'),
    lost,
    duplicated,
    gone: c.gone,
    posts: c.requests,
    invocationMs: Math.max(...outcomes.map((o) => o.startedAt + o.durationMs)) - startedAt,
    timedOut: outcomes.some((o) => o.timedOut),
    ...(ack ? { ack } : {}),
    reportedUndelivered: metric('abandonedDeliveries') + metric('failedDeliveries'),
    truncated: metric('truncatedFanouts') > 0,
    measuredAt: new Date().toISOString(),
  };
}

/** CPU per post of each way of posting, each in its own process, against a 20 ms endpoint (no throttle). */
async function measurePostCpu(posts: number): Promise<Record<PostPath, number>> {
  const endpoint = await startConnectionsEndpoint({
    latencyMs: POST_LATENCY_MS,
    account: false,
    ledger: false,
  });
  const child = fileURLToPath(new URL('./post-cpu-child.ts', import.meta.url));
  const results: Partial<Record<PostPath, number[]>> = {};
  try {
    // Two rounds, alternating, so a noisy moment on the shared machine hits every path; keep each one's best.
    for (let round = 0; round < 2; round++) {
      for (const kind of POST_PATHS) {
        const process_ = fork(
          child,
          [JSON.stringify({ kind, endpoint: endpoint.endpoint, posts, concurrency: SEND_CONCURRENCY })],
          {
            execArgv: ['--import', 'tsx'],
            env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
          },
        );
        const forget = onCleanup(() => process_.kill('SIGKILL'));
        const result = await new Promise<{ cpuMsPerPost: number }>((resolve, reject) => {
          process_.once('message', (message) => resolve(message as { cpuMsPerPost: number }));
          process_.once('exit', (code) => reject(new Error(`post-cpu child exited with ${code}`)));
        });
        await new Promise((resolve) => process_.once('exit', resolve));
        forget();
        results[kind] = [...(results[kind] ?? []), result.cpuMsPerPost];
      }
    }
  } finally {
    await endpoint.close();
  }
  return Object.fromEntries(
    POST_PATHS.map((kind) => [kind, Math.min(...(results[kind] ?? [Number.NaN]))]),
  ) as Record<PostPath, number>;
}

/** Several publishers at once on big topics, each in its own container, against a scaled-down account. */
async function runOverload(
  env: AwsEnvironment,
  bundle: string,
  publishers: number,
  perTopic: number,
  account: AccountThrottle,
): Promise<AwsFanoutRow> {
  const endpoint = await startConnectionsEndpoint({
    latencyMs: POST_LATENCY_MS,
    account,
    isLive: (id) => !id.startsWith('ghost'),
  });
  try {
    const hosts: LambdaHost[] = [];
    for (let i = 0; i < publishers; i++)
      hosts.push(await env.container(`overload-${i}`, bundle, endpoint.endpoint));
    // Warm each container (cold start, sockets) on a one-subscriber topic first.
    for (const host of hosts) {
      const topic = `warm/${++sequence}`;
      await env.seedSubscribers(topic, subscriberIds(topic, 1));
      await host.invoke(publishEvent(topic, sequence), TIMEOUT_MS);
    }
    const topics = [] as Array<{ topic: string; live: string[] }>;
    for (let i = 0; i < publishers; i++) {
      const topic = `overload/${i}/${++sequence}`;
      const live = subscriberIds(topic, perTopic);
      await env.seedSubscribers(topic, live);
      topics.push({ topic, live });
    }
    // Let the account's bucket refill after the warm-ups, then start every publish at once.
    await new Promise((resolve) =>
      setTimeout(resolve, Math.ceil((account.burst / account.perSecond) * 1000)),
    );
    endpoint.resetCounters();
    const outcomes = await Promise.all(
      hosts.map((host, i) =>
        host.invoke(publishEvent((topics[i] as { topic: string }).topic, ++sequence), TIMEOUT_MS),
      ),
    );
    const row = rowOf(
      `overload ${publishers} publishers, account ${account.perSecond}/s`,
      publishers * perTopic,
      outcomes,
      endpoint,
      topics,
      account,
    );
    for (const host of hosts) await host.stop();
    return row;
  } finally {
    await endpoint.close();
  }
}

export async function measureAwsFanout(
  options: {
    quick: boolean;
    full: boolean /** A git revision whose handler runs too, interleaved, as a same-run baseline. */;
    baseline?: string;
  },
  log: (message: string) => void,
): Promise<ExtraOutcome> {
  const title = `AWS path: the WebSocket Lambda bundle, DynamoDB Local +${DYNAMODB_LATENCY_MS} ms, @connections stand-in +${POST_LATENCY_MS} ms, account ${defaultAccountThrottle.perSecond}/s burst ${defaultAccountThrottle.burst}`;
  const sizes = options.quick
    ? [1, 1_000, 10_000]
    : options.full
      ? [1, 1_000, 10_000, 100_000, 1_000_000]
      : [1, 1_000, 10_000, 100_000];
  const lines: string[] = [];
  const rows: AwsFanoutRow[] = [];
  log('aws-fanout: CPU per post, SDK vs signed');
  const cpu = await measurePostCpu(options.quick ? 3_000 : 10_000);
  const factor = cpu.sdk / cpu.signed;
  lines.push(
    `CPU per PostToConnection (same run, ${options.quick ? 3_000 : 10_000} posts each, ${SEND_CONCURRENCY} in flight, best of 2): SDK as before ${(cpu.sdk * 1000).toFixed(0)} µs, SDK with cacheMiddleware ${(cpu['sdk-cached'] * 1000).toFixed(0)} µs, signed request ${(cpu.signed * 1000).toFixed(0)} µs: ${factor.toFixed(2)}x less than the SDK`,
  );
  const env = await startAwsEnvironment({ dynamoDbLatencyMs: DYNAMODB_LATENCY_MS });
  const endpoint = await startConnectionsEndpoint({
    latencyMs: POST_LATENCY_MS,
    account: defaultAccountThrottle,
    isLive: (id) => !id.startsWith('ghost'),
  });
  try {
    const bundle = await env.bundle(FunctionModel.entry);
    let publisher = await env.container('websocket', bundle, endpoint.endpoint);
    const baselineBundle = options.baseline
      ? await env.bundleAt(options.baseline, FunctionModel.entry)
      : undefined;
    let baseline = baselineBundle
      ? await env.container('websocket-baseline', baselineBundle, endpoint.endpoint)
      : undefined;
    if (baseline) {
      await runFanout(env, endpoint, baseline, 1, 0, defaultAccountThrottle);
      await runFanout(env, endpoint, baseline, 500, 1, defaultAccountThrottle);
    }
    // A warm container, as a busy function has: cold start and the first large fan-out's JIT, not reported.
    await runFanout(env, endpoint, publisher, 1, 0, defaultAccountThrottle);
    await runFanout(env, endpoint, publisher, 500, 1, defaultAccountThrottle);
    for (const n of sizes) {
      if (n >= 1_000_000) {
        lines.push(
          '1,000,000 subscribers: not run; seeding a million rows into DynamoDB Local on this machine takes longer than the rest of the run',
        );
        continue;
      }
      if (!publisher.alive) publisher = await env.container('websocket', bundle, endpoint.endpoint);
      // Refill the account bucket so each size starts from the same state.
      await new Promise((resolve) => setTimeout(resolve, 600));
      log(`aws-fanout: seeding and publishing to ${n} subscribers`);
      const row = await runFanout(env, endpoint, publisher, n, Math.floor(n / 1000), defaultAccountThrottle);
      rows.push(row);
      log(`aws-fanout: ${describe(row)}`);
      // The code before, right after on the same machine: 1,000 and 10,000 (at 100,000 it is killed at 29 s).
      if (baselineBundle && n >= 1_000 && n <= 10_000) {
        if (!baseline?.alive)
          baseline = await env.container('websocket-baseline', baselineBundle, endpoint.endpoint);
        await new Promise((resolve) => setTimeout(resolve, 600));
        const before = await runFanout(
          env,
          endpoint,
          baseline,
          n,
          Math.floor(n / 1000),
          defaultAccountThrottle,
        );
        before.scenario = `inline @ ${options.baseline}`;
        rows.push(before);
        log(`aws-fanout: ${describe(before)}`);
        lines.push(
          `N=${n}, this code vs ${options.baseline} in the same run: last delivery ${(row.lastDeliveryMs / before.lastDeliveryMs).toFixed(2)}x, CPU per post ${(row.cpuMsPerPost / before.cpuMsPerPost).toFixed(2)}x`,
        );
      }
    }
    const overloadAccount: AccountThrottle = options.quick
      ? { perSecond: 150, burst: 75 }
      : { perSecond: 400, burst: 200 };
    const publishers = 4;
    const perTopic = options.quick ? 500 : 1_500;
    log(`aws-fanout: overload, ${publishers} publishers x ${perTopic}`);
    const overload = await runOverload(env, bundle, publishers, perTopic, overloadAccount);
    rows.push(overload);
    log(`aws-fanout: ${describe(overload)}`);
    lines.push(
      ...rows.map(describe),
      `overload demand: ${publishers} containers x ${perWorkerRate} posts/s each (${SEND_CONCURRENCY} in flight / ${POST_LATENCY_MS} ms) = ${((publishers * perWorkerRate) / overloadAccount.perSecond).toFixed(0)}x the scaled-down account rate; extra time over the bound: ${Math.max(0, overload.lastDeliveryMs - overload.boundMs)} ms`,
      `bound = max(N / ${defaultAccountThrottle.perSecond} per s, N / ${perWorkerRate} per s per worker); the inline path is one worker, so 100,000 cannot fit in the ${FunctionModel.timeoutSeconds} s timeout (bound 40 s): the sharded worker's job`,
      `machine: shared 2 cores (the container, the stand-in, the proxy and DynamoDB Local's JVM compete); counts and CPU per post carry over to AWS, wall times do not`,
    );
    writeFileSync(
      new URL('../results/aws-fanout.json', import.meta.url),
      `${JSON.stringify(
        rows.map((row) => ({
          ...row,
          quick: options.quick,
          cpuMsPerPostSdkBaseline: cpu.sdk,
          cpuMsPerPostSigned: cpu.signed,
        })),
        null,
        2,
      )}\n`,
    );
    log('aws-fanout: wrote bench/results/aws-fanout.json');
    // Silent loss fails the run: receivers lost that the function neither counted nor flagged.
    const failed = rows.some((row) => row.lost > row.reportedUndelivered && !row.truncated);
    return { title, status: failed ? 'failed' : 'ran', lines };
  } catch (error) {
    return {
      title,
      status: 'failed',
      lines: [...lines, error instanceof Error ? (error.stack ?? error.message) : String(error)],
    };
  } finally {
    await endpoint.close();
    await env.close();
  }
}

function describe(row: AwsFanoutRow): string {
  const dynamo = row.dynamoDbRequests
    ? `; DynamoDB: ${Object.entries(row.dynamoDbRequests)
        .map(([operation, count]) => `${count} ${operation}`)
        .join(' + ')}`
    : '';
  return `${row.scenario} N=${row.subscribers}: last delivery ${row.lastDeliveryMs} ms (bound ${row.boundMs} ms, ratio ${row.ratio}), ${row.postsPerSecond} posts/s, ${(row.cpuMsPerPost * 1000).toFixed(0)} µs CPU/post, ${row.throttled} x 429, ${row.retries} retries, lost ${row.lost}, duplicated ${row.duplicated}, gone ${row.gone}, function reported ${row.reportedUndelivered} undelivered${row.truncated ? ' and stopped reading pages at its deadline (truncated)' : ''}${row.timedOut ? ', KILLED AT THE 29 s TIMEOUT' : ''}; invocation ${row.invocationMs} ms${dynamo}`;
}
