import type { Figures } from './figures.ts';
import type { ServerKind } from './ipc.ts';

export const SERVERS: readonly ServerKind[] = ['raw-ws', 'socketio', 'topicsocket'];

export const SERVER_LABELS: Record<ServerKind, string> = {
  'raw-ws': 'raw ws',
  socketio: 'Socket.IO',
  topicsocket: 'topicsocket',
  'topicsocket-dynamodb': 'topicsocket on DynamoDB Local',
  'topicsocket-hooks': 'topicsocket with a trivial onPublish',
};

export type ScenarioId = 'fanout' | 'latency' | 'many-topics' | 'idle' | 'slow-consumer';

/** One server's outcome in one scenario: figures from its best run, or why it has none. */
export interface ServerOutcome {
  figures?: Figures;
  error?: string;
  /** How many runs were made (the best is kept). */
  runs: number;
  /** Runs that failed or lost, duplicated or reordered deliveries, even when another run's figures are kept. */
  failedRuns: string[];
  /** Lowest deliveries/s among the runs: what the server sustained in the machine's worst moment. */
  slowestDeliveriesPerSecond?: number;
}

export interface ScenarioOutcome {
  id: ScenarioId;
  title: string;
  servers: Partial<Record<ServerKind, ServerOutcome>>;
}

/** Scenarios run outside the three-server comparison. */
export interface ExtraOutcome {
  title: string;
  status: 'ran' | 'not run' | 'failed';
  lines: string[];
}

export interface BenchReport {
  quick: boolean;
  startedAt: string;
  durationMs: number;
  machine: string;
  scenarios: ScenarioOutcome[];
  extras: ExtraOutcome[];
  notes: string[];
}
