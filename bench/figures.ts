import type { LatencySummary } from './ipc.ts';
import type { RunRecord } from './run-one.ts';

/** What the report shows for one run, derived from the load generator's counts and the OS's samples. */
export interface Figures {
  deliveriesPerSecond?: number;
  /** Server CPU time (user + system, from /proc) per delivery in the measured window, µs. */
  cpuMicrosPerDelivery?: number;
  /** Share of one core the server / load generator used in the measured window: near 1 means saturated. */
  serverCpuShare?: number;
  loadgenCpuShare?: number;
  latency?: LatencySummary;
  rssPerConnectionBytes?: number;
  slow?: {
    controlPerSecond: number;
    slowPhasePerSecond: number;
    /** Server RSS growth between the slow consumer stopping to read and the end of the run. */
    rssGrowthBytes: number;
    /** Growth in the second half of the stall only: near zero when memory is bounded, still climbing when not. */
    rssGrowthSecondHalfBytes: number;
    peakRssBytes: number;
    slowReceived: number;
    slowDisconnected: boolean;
  };
  /** Empty when every delivery arrived exactly once, in order. */
  integrityProblems: string[];
}

export function figuresOf(run: RunRecord): Figures {
  const result = run.result;
  if (result.kind === 'idle') {
    const baseline = run.marks.baseline?.server;
    const loaded = run.marks.loaded?.server;
    return {
      integrityProblems: [],
      ...(baseline && loaded
        ? { rssPerConnectionBytes: (loaded.rssBytes - baseline.rssBytes) / result.connections }
        : {}),
    };
  }
  const problems: string[] = [];
  if (result.lost) problems.push(`${result.lost} lost`);
  if (result.backlog)
    problems.push(`${result.backlog} still arriving 30 s after the last publish (overloaded, not lost)`);
  if (result.duplicated) problems.push(`${result.duplicated} duplicated`);
  if (result.outOfOrder) problems.push(`${result.outOfOrder} out of order`);
  const from = run.marks['measure-start'];
  const to = run.marks['measure-end'];
  const figures: Figures = {
    integrityProblems: problems,
    deliveriesPerSecond: (result.measuredDeliveries / result.measuredMs) * 1000,
    ...(result.latency ? { latency: result.latency } : {}),
  };
  if (from && to) {
    const cpuMs = to.server.cpuMs - from.server.cpuMs;
    const wallMs = to.server.atMs - from.server.atMs;
    figures.cpuMicrosPerDelivery = result.measuredDeliveries
      ? (cpuMs * 1000) / result.measuredDeliveries
      : undefined;
    figures.serverCpuShare = cpuMs / wallMs;
    figures.loadgenCpuShare = (to.loadgen.cpuMs - from.loadgen.cpuMs) / wallMs;
  }
  if (result.control && result.slowConsumer && from && to) {
    figures.slow = {
      controlPerSecond: (result.control.deliveries / result.control.ms) * 1000,
      slowPhasePerSecond: figures.deliveriesPerSecond ?? 0,
      rssGrowthBytes: to.server.rssBytes - from.server.rssBytes,
      rssGrowthSecondHalfBytes: to.server.rssBytes - rssAt(run, (from.server.atMs + to.server.atMs) / 2),
      peakRssBytes: run.serverPeakRssBytes,
      slowReceived: result.slowConsumer.received,
      slowDisconnected: result.slowConsumer.disconnected,
    };
  }
  return figures;
}

/** The server's RSS in the sample nearest to `atMs`. */
function rssAt(run: RunRecord, atMs: number): number {
  let nearest = run.rssSeries[0];
  for (const sample of run.rssSeries) {
    if (nearest === undefined || Math.abs(sample.atMs - atMs) < Math.abs(nearest.atMs - atMs))
      nearest = sample;
  }
  return nearest?.rssBytes ?? 0;
}
