/**
 * The sharded fan-out of the aws-fanout bench, as deployed: the SQS stand-in (test/support/sqs-stand-in.ts,
 * the wire protocol of the real `@aws-sdk/client-sqs`) holds the fan-out queue and its dead-letter queue
 * with the deploy model's visibility timeout and redrive; the event-source stand-in
 * (test/support/sqs-event-source.ts) long-polls it with the real SQS client, `batchSize` and
 * `maximumConcurrency` from deploy/model/fanout.ts, and hands each batch to one of a pool of Lambda-like
 * containers running the worker bundle (WorkerFunctionModel.entry, built as the deploy builds it). The
 * publishing container gets the queue's URL and endpoint in its environment, so its publish plans shards
 * and sends them with SendMessageBatch exactly as on AWS.
 *
 *   const path = await startShardedPath(env, endpoint);
 *   const publisher = await env.container('websocket-sharded', bundle, endpoint.endpoint, path.publisherEnv);
 *   const { publish, workers } = await path.fanout(() => publisher.invoke(event, timeoutMs));
 *   await path.close();
 */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { FanoutQueueModel, WorkerFunctionModel, workerEnvironment } from '../../deploy/model/fanout.ts';
import { FanoutEnvironment } from '../../src/core/config-env.ts';
import { createSqsClient } from '../../src/runtimes/aws/sqs-fanout-queue.ts';
import { type SqsEventSource, startSqsEventSource } from '../../test/support/sqs-event-source.ts';
import { type StandInQueue, startSqsStandIn } from '../../test/support/sqs-stand-in.ts';
import type { ConnectionsEndpoint } from './connections-endpoint.ts';
import type { AwsEnvironment } from './environment.ts';
import type { InvocationOutcome, LambdaHost } from './lambda-host.ts';

const WORKER_TIMEOUT_MS = WorkerFunctionModel.timeoutSeconds * 1000;
/** Longest a fan-out may take to drain before the run calls it stuck (retry shards back off up to 30 s). */
const DRAIN_LIMIT_MS = 240_000;

export interface ShardedFanout<T> {
  /** What the publishing invocation(s) returned. */
  publish: T;
  /** Every worker invocation while the queue drained (CPU, EMF metrics). */
  workers: InvocationOutcome[];
  /** Worker containers killed at the timeout (their batches come back after the visibility timeout). */
  workersKilled: number;
  /** Queue messages handled (shards, remainders, retry shards). */
  shardMessages: number;
  /** Messages moved to the dead-letter queue during the run. */
  deadLetters: number;
  /** SQS requests during the run, by operation (the publisher's sends, the event source's, the workers'). */
  sqsRequests: Record<string, number>;
}

export interface ShardedPath {
  /** The publishing function's extra environment: the queue's URL and the SQS endpoint. */
  publisherEnv: Record<string, string>;
  /** Worker containers (the event source's maximum concurrency). */
  instances: number;
  /** Runs the publishing invocation, then waits until the queue holds nothing (visible, in flight or delayed). */
  fanout<T>(publish: () => Promise<T>): Promise<ShardedFanout<T>>;
  close(): Promise<void>;
}

export async function startShardedPath(
  env: AwsEnvironment,
  endpoint: ConnectionsEndpoint,
  options: { instances?: number } = {},
): Promise<ShardedPath> {
  const instances = options.instances ?? FanoutQueueModel.maximumConcurrency;
  const sqs = await startSqsStandIn();
  const dlq = sqs.createQueue('topicsocket-fanout-dlq');
  const queue: StandInQueue = sqs.createQueue('topicsocket-fanout', {
    visibilityTimeoutMs: FanoutQueueModel.visibilityTimeoutSeconds * 1000,
    deadLetter: { queue: dlq, maxReceiveCount: FanoutQueueModel.maxReceiveCount },
  });
  const queueEnv = { [FanoutEnvironment.sqsEndpoint]: sqs.endpoint };
  const bundle = await env.bundle(WorkerFunctionModel.entry);
  const startWorker = (i: number) =>
    env.container(`worker-${i}`, bundle, endpoint.endpoint, {
      ...workerEnvironment(env.tableName, endpoint.endpoint, queue.url),
      ...queueEnv,
    });
  const pool = await startContainerPool(startWorker, instances, WORKER_TIMEOUT_MS);
  let onSettled = () => {};
  const drained = () => {
    const depth = queue.depth();
    return pool.running === 0 && depth.visible === 0 && depth.inFlight === 0 && depth.delayed === 0;
  };
  const client = createSqsClient(sqs.endpoint);
  const source: SqsEventSource = startSqsEventSource({
    client,
    queueUrl: queue.url,
    queueArn: queue.arn,
    batchSize: FanoutQueueModel.batchSize,
    maximumConcurrency: instances,
    // The container enforces the function's timeout itself (killing the process): the source waits a little longer.
    timeoutMs: WORKER_TIMEOUT_MS + 2_000,
    handler: pool.handler,
    onInvocation: () => onSettled(),
  });

  return {
    publisherEnv: { [FanoutEnvironment.queueUrl]: queue.url, ...queueEnv },
    instances,
    async fanout(publishInvocation) {
      pool.reset();
      const deadBefore = dlq.messagesById.size;
      const countsBefore = { ...sqs.counts };
      const publish = await publishInvocation();
      await new Promise<void>((resolve, reject) => {
        const limit = setTimeout(
          () => reject(new Error(`the fan-out queue did not drain in ${DRAIN_LIMIT_MS} ms`)),
          DRAIN_LIMIT_MS,
        );
        onSettled = () => {
          if (!drained()) return;
          clearTimeout(limit);
          resolve();
        };
        onSettled();
      });
      onSettled = () => {};
      return {
        publish,
        workers: pool.outcomes,
        workersKilled: pool.killed,
        shardMessages: pool.handled,
        deadLetters: dlq.messagesById.size - deadBefore,
        sqsRequests: Object.fromEntries(
          Object.entries(sqs.counts)
            .map(([operation, count]) => [operation, count - (countsBefore[operation] ?? 0)] as const)
            .filter(([, count]) => count > 0),
        ),
      };
    },
    async close() {
      await source.stop();
      client.destroy();
      await pool.stop();
      await sqs.close();
    },
  };
}

/** Lambda-like containers behind one event-source handler: each invocation runs in an idle container. */
export interface ContainerPool {
  handler: (event: SQSEvent) => Promise<SQSBatchResponse>;
  /** Invocations since the last reset: outcomes, containers killed at the timeout (and replaced), records. */
  readonly outcomes: InvocationOutcome[];
  readonly killed: number;
  readonly handled: number;
  /** Invocations running now. */
  readonly running: number;
  reset(): void;
  stop(): Promise<void>;
}

/**
 * `instances` containers from `start`; the handler runs the event in an idle one (as Lambda runs one event
 * per execution environment), with the function's timeout. A container killed at the timeout fails its
 * batch (the event source then leaves it to the visibility timeout) and is replaced by a cold one.
 */
export async function startContainerPool(
  start: (index: number) => Promise<LambdaHost>,
  instances: number,
  timeoutMs: number,
): Promise<ContainerPool> {
  const idle: LambdaHost[] = await Promise.all(Array.from({ length: instances }, (_, i) => start(i)));
  let started = instances;
  const waiting: Array<(host: LambdaHost) => void> = [];
  const release = (host: LambdaHost) => {
    const next = waiting.shift();
    if (next) next(host);
    // Most recently used first: the warmest container takes the next event, as Lambda tends to.
    else idle.unshift(host);
  };
  const acquire = () =>
    new Promise<LambdaHost>((resolve) => {
      const host = idle.shift();
      if (host) resolve(host);
      else waiting.push(resolve);
    });
  const pool = {
    outcomes: [] as InvocationOutcome[],
    killed: 0,
    handled: 0,
    running: 0,
    async handler(event: SQSEvent): Promise<SQSBatchResponse> {
      pool.running++;
      const host = await acquire();
      let timedOut = false;
      try {
        const outcome = await host.invoke(event, timeoutMs);
        pool.outcomes.push(outcome);
        pool.handled += event.Records.length;
        timedOut = outcome.timedOut;
        if (outcome.timedOut) throw new Error(`${host.name} was killed at the ${timeoutMs} ms timeout`);
        if (outcome.error) throw new Error(outcome.error);
        return outcome.result as SQSBatchResponse;
      } finally {
        // A timed-out container reports before its process exits: wait for the exit, never reuse it.
        if (timedOut) await host.stop();
        if (host.alive) release(host);
        else {
          pool.killed++;
          release(await start(started++));
        }
        pool.running--;
      }
    },
    reset() {
      pool.outcomes = [];
      pool.killed = 0;
      pool.handled = 0;
    },
    async stop() {
      for (const host of idle) await host.stop();
    },
  };
  return pool;
}
