/** Messages between the runner and its child processes (servers and the load generator), over Node IPC. */

export type ServerKind = 'raw-ws' | 'socketio' | 'topicsocket' | 'topicsocket-dynamodb' | 'topicsocket-hooks';

/** Server child -> runner. */
export type ServerEvent =
  | { type: 'ready'; port: number }
  | { type: 'gc-done' }
  | { type: 'stats'; counters: Record<string, number> };
/** Runner -> server child. `stats` asks for the server's own counters (DynamoDB requests, for one). */
export type ServerCommand = { type: 'gc' } | { type: 'stats' };

/** One pub/sub load shape; every size is explicit so quick and full runs differ only in numbers. */
export interface PubSubSpec {
  kind: 'pubsub';
  /** Subscribing connections. */
  connections: number;
  topics: number;
  subscribersPerTopic: number;
  /** Bytes of the JSON `data` of each message. */
  payloadBytes: number;
  /** `window`: keep at most this many deliveries outstanding (closed loop, just below saturation). `rate`: publishes per second. */
  publish: { mode: 'window'; deliveries: number } | { mode: 'rate'; perSecond: number };
  warmupMs: number;
  measureMs: number;
  /** Record publish -> receive latency of every delivery in the measured window. */
  latency: boolean;
  /** Add one subscriber that stops reading after a control phase of `controlMs`. */
  slowConsumer?: { controlMs: number };
}

export interface IdleSpec {
  kind: 'idle';
  connections: number;
  topics: number;
  settleMs: number;
}

export type LoadSpec = PubSubSpec | IdleSpec;

/** Runner -> load generator. */
export type LoadCommand =
  | { type: 'run'; server: ServerKind; url: string; spec: LoadSpec }
  | { type: 'marked'; name: string };

export interface LatencySummary {
  samples: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface PubSubResult {
  kind: 'pubsub';
  published: number;
  /** Deliveries counted by subscribers during the measured window. */
  measuredDeliveries: number;
  measuredMs: number;
  /** After the publisher stopped and the pipes drained. */
  expected: number;
  received: number;
  lost: number;
  /** Deliveries still on their way when the drain gave up: the server was overloaded, nothing was seen lost. */
  backlog: number;
  duplicated: number;
  outOfOrder: number;
  latency?: LatencySummary;
  /** Slow-consumer runs: the readers' rate before and after the slow one stopped reading. */
  control?: { deliveries: number; ms: number };
  slowConsumer?: { received: number; disconnected: boolean };
  connectMs: number;
}

export interface IdleResult {
  kind: 'idle';
  connections: number;
  connectMs: number;
}

export type LoadResult = PubSubResult | IdleResult;

/** Load generator -> runner. `mark` asks the runner to sample the server now (optionally after a GC) and answer `marked`. */
export type LoadEvent =
  | { type: 'mark'; name: string; gc?: boolean }
  | { type: 'result'; result: LoadResult }
  | { type: 'failed'; error: string };
