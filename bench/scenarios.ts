import type { IdleSpec, PubSubSpec } from './ipc.ts';

/** Sizes of every scenario; `--quick` shrinks counts and durations, never the shape. */
export interface Sizes {
  fanout: PubSubSpec;
  /** The latency run publishes at half of raw `ws`'s measured fan-out maximum, set by the runner. */
  latency: (perSecond: number) => PubSubSpec;
  manyTopics: PubSubSpec;
  idle: IdleSpec;
  slowConsumer: PubSubSpec;
}

export function sizes(quick: boolean): Sizes {
  const fanoutSubscribers = quick ? 200 : 1000;
  const warmupMs = quick ? 300 : 2000;
  const measureMs = quick ? 1000 : 6000;
  const fanout: PubSubSpec = {
    kind: 'pubsub',
    connections: fanoutSubscribers,
    topics: 1,
    subscribersPerTopic: fanoutSubscribers,
    payloadBytes: 64,
    publish: { mode: 'window', deliveries: 8 * fanoutSubscribers },
    warmupMs,
    measureMs,
    latency: false,
  };
  return {
    fanout,
    latency: (perSecond) => ({ ...fanout, publish: { mode: 'rate', perSecond }, latency: true }),
    manyTopics: {
      kind: 'pubsub',
      connections: quick ? 200 : 1000,
      topics: quick ? 1000 : 10_000,
      subscribersPerTopic: 5,
      payloadBytes: 64,
      publish: { mode: 'window', deliveries: quick ? 2000 : 8000 },
      warmupMs,
      measureMs,
      latency: false,
    },
    idle: { kind: 'idle', connections: quick ? 1000 : 10_000, topics: 100, settleMs: quick ? 300 : 1000 },
    slowConsumer: {
      kind: 'pubsub',
      connections: 100,
      topics: 1,
      subscribersPerTopic: 100,
      // 1 KiB messages, so what piles up for the slow consumer shows in RSS within seconds.
      payloadBytes: 1024,
      publish: { mode: 'window', deliveries: 800 },
      warmupMs,
      measureMs: quick ? 1500 : 8000,
      latency: false,
      slowConsumer: { controlMs: measureMs },
    },
  };
}
