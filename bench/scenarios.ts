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
      connections: quick ? 100 : 1000,
      topics: quick ? 500 : 10_000,
      subscribersPerTopic: 5,
      payloadBytes: 64,
      publish: { mode: 'window', deliveries: quick ? 2000 : 8000 },
      warmupMs,
      measureMs,
      latency: false,
    },
    idle: { kind: 'idle', connections: quick ? 500 : 10_000, topics: 100, settleMs: quick ? 200 : 1000 },
    slowConsumer: {
      kind: 'pubsub',
      connections: 100,
      topics: 1,
      subscribersPerTopic: 100,
      // 16 KiB messages: what piles up for the stalled subscriber outgrows the kernel's socket buffers
      // (several MiB on loopback) within seconds and shows in the server's RSS.
      payloadBytes: 16 * 1024,
      publish: { mode: 'window', deliveries: 800 },
      warmupMs,
      measureMs: quick ? 1000 : 8000,
      latency: false,
      slowConsumer: { controlMs: quick ? 500 : measureMs },
    },
  };
}
