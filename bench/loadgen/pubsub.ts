import type { PubSubResult, PubSubSpec, ServerKind } from '../ipc.ts';
import { type BenchClient, connectClient } from './clients.ts';
import { nowMicros } from './payload.ts';
import { DeliveryTally, LatencyRecorder } from './tally.ts';

export type Mark = (name: string, options?: { gc?: boolean }) => Promise<void>;

const CONNECT_CONCURRENCY = 100;
/** After the publisher stops, the drain waits while deliveries keep arriving, up to a cap. */
const DRAIN_IDLE_MS = 3000;
const DRAIN_CAP_MS = 30_000;

export function topicName(index: number): string {
  return `t${index}`;
}

/** Subscribers of topic k are connections (k·S + j) mod C: every connection gets about the same share. */
export function topicsOfConnection(spec: PubSubSpec): string[][] {
  const topics: string[][] = Array.from({ length: spec.connections }, () => []);
  for (let k = 0; k < spec.topics; k++) {
    for (let j = 0; j < spec.subscribersPerTopic; j++) {
      topics[(k * spec.subscribersPerTopic + j) % spec.connections]!.push(topicName(k));
    }
  }
  return topics;
}

export async function forEachLimit<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      await fn(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Subscribers and one publisher on separate connections. The publisher runs closed-loop (a bounded window of
 * outstanding deliveries keeps the server just below saturation) or at a fixed rate; every delivery is counted.
 */
export async function runPubSub(
  server: ServerKind,
  url: string,
  spec: PubSubSpec,
  mark: Mark,
): Promise<PubSubResult> {
  const tally = new DeliveryTally();
  const latency = new LatencyRecorder();
  const singleTopic = spec.topics === 1;
  const lastSeq = new Int32Array(spec.connections).fill(-1);
  let measuring = false;
  let publishing = false;
  const window = spec.publish.mode === 'window' ? spec.publish.deliveries : 0;

  const started = performance.now();
  const subscriptions = topicsOfConnection(spec);
  const subscribers: BenchClient[] = [];
  await forEachLimit(subscriptions, CONNECT_CONCURRENCY, async (_topics, index) => {
    subscribers[index] = await connectClient(server, url, (seq, sentAt) => {
      tally.deliver(seq);
      if (singleTopic) {
        if (seq <= lastSeq[index]!) tally.outOfOrder++;
        lastSeq[index] = seq;
      }
      if (measuring && spec.latency) latency.record(nowMicros() - sentAt);
      if (window && publishing && tally.outstanding < window) pump();
    });
  });
  let slowReceived = 0;
  const slow = spec.slowConsumer
    ? await connectClient(server, url, () => {
        slowReceived++;
      })
    : undefined;
  const publisher = await connectClient(server, url, () => {});
  await forEachLimit(subscribers, CONNECT_CONCURRENCY, (client, index) =>
    client.subscribe(subscriptions[index]!),
  );
  await slow?.subscribe([topicName(0)]);
  const connectMs = performance.now() - started;

  let seq = 0;
  const publishOne = () => {
    const topic = singleTopic ? 0 : Math.floor(Math.random() * spec.topics);
    tally.publish(seq, spec.subscribersPerTopic);
    publisher.publish(topicName(topic), seq, nowMicros(), spec.payloadBytes);
    seq++;
  };
  const pump = () => {
    while (publishing && tally.outstanding < window) publishOne();
  };

  publishing = true;
  let timer: NodeJS.Timeout | undefined;
  if (spec.publish.mode === 'window') {
    pump();
  } else {
    const perSecond = spec.publish.perSecond;
    const since = performance.now();
    timer = setInterval(() => {
      const due = Math.floor(((performance.now() - since) / 1000) * perSecond) - seq;
      for (let i = 0; i < Math.min(due, 10_000); i++) publishOne();
    }, 1);
  }

  await sleep(spec.warmupMs);
  let control: PubSubResult['control'];
  if (spec.slowConsumer && slow) {
    const from = tally.received;
    const at = performance.now();
    await mark('control-start');
    await sleep(spec.slowConsumer.controlMs);
    control = { deliveries: tally.received - from, ms: performance.now() - at };
    slow.pause();
  }
  const measuredFrom = tally.received;
  const measuredAt = performance.now();
  measuring = true;
  await mark('measure-start');
  await sleep(spec.measureMs);
  const measuredDeliveries = tally.received - measuredFrom;
  const measuredMs = performance.now() - measuredAt;
  await mark('measure-end');
  measuring = false;
  publishing = false;
  if (timer) clearInterval(timer);

  // Missing deliveries count as lost only once nothing has arrived for DRAIN_IDLE_MS; past the cap, those
  // still arriving are reported as a backlog (an overloaded server), not as losses.
  const drainCap = performance.now() + DRAIN_CAP_MS;
  let lastProgress = performance.now();
  let lastReceived = tally.received;
  while (
    tally.outstanding > 0 &&
    performance.now() < drainCap &&
    performance.now() - lastProgress < DRAIN_IDLE_MS
  ) {
    await sleep(20);
    if (tally.received !== lastReceived) {
      lastReceived = tally.received;
      lastProgress = performance.now();
    }
  }
  if (slow) {
    // Let the stalled subscriber read what is queued for it, so it notices if the server closed it.
    slow.resume();
    const until = performance.now() + 2000;
    while (!slow.disconnected && performance.now() < until) await sleep(20);
  }
  const stillArriving = tally.outstanding > 0 && performance.now() - lastProgress < DRAIN_IDLE_MS;
  const verdict = tally.verdict();
  const backlog = stillArriving ? verdict.lost : 0;
  const lost = stillArriving ? 0 : verdict.lost;
  const duplicated = verdict.duplicated;
  const result: PubSubResult = {
    kind: 'pubsub',
    published: tally.published,
    measuredDeliveries,
    measuredMs,
    expected: tally.expected,
    received: tally.received,
    lost,
    backlog,
    duplicated,
    outOfOrder: tally.outOfOrder,
    connectMs,
    ...(spec.latency ? { latency: latency.summary() } : {}),
    ...(control ? { control } : {}),
    ...(slow ? { slowConsumer: { received: slowReceived, disconnected: slow.disconnected } } : {}),
  };
  for (const client of [...subscribers, publisher, ...(slow ? [slow] : [])]) client.close();
  return result;
}
