import type { Figures } from './figures.ts';
import type { ServerKind } from './ipc.ts';
import {
  type BenchReport,
  type ScenarioId,
  type ScenarioOutcome,
  SERVER_LABELS,
  SERVERS,
} from './outcome.ts';

type Pick = (figures: Figures) => number | undefined;

interface Row {
  scenario: ScenarioId;
  measure: string;
  pick: Pick;
  format: (value: number) => string;
  /** Target on topicsocket ÷ raw ws (or ÷ Socket.IO). */
  target?: { against: ServerKind; op: '>=' | '<='; ratio: number };
}

const perSecond = (value: number) => Math.round(value).toLocaleString('en-US');
const micros = (value: number) => `${value.toFixed(2)} µs`;
const millis = (value: number) => `${value.toFixed(2)} ms`;
const kib = (value: number) => `${(value / 1024).toFixed(1)} KiB`;
const mib = (value: number) => `${(value / 1024 / 1024).toFixed(1)} MiB`;
const share = (value: number) => `${Math.round(value * 100)}%`;

const ROWS: Row[] = [
  {
    scenario: 'fanout',
    measure: 'deliveries/s',
    pick: (f) => f.deliveriesPerSecond,
    format: perSecond,
    target: { against: 'raw-ws', op: '>=', ratio: 0.9 },
  },
  {
    scenario: 'fanout',
    measure: 'deliveries/s vs Socket.IO',
    pick: (f) => f.deliveriesPerSecond,
    format: perSecond,
    target: { against: 'socketio', op: '>=', ratio: 2 },
  },
  {
    scenario: 'fanout',
    measure: 'server CPU per delivery',
    pick: (f) => f.cpuMicrosPerDelivery,
    format: micros,
    target: { against: 'raw-ws', op: '<=', ratio: 1 },
  },
  {
    scenario: 'fanout',
    measure: 'server / load-gen CPU share',
    pick: (f) => f.serverCpuShare,
    format: share,
  },
  { scenario: 'latency', measure: 'p50', pick: (f) => f.latency?.p50Ms, format: millis },
  {
    scenario: 'latency',
    measure: 'p99',
    pick: (f) => f.latency?.p99Ms,
    format: millis,
    target: { against: 'raw-ws', op: '<=', ratio: 1.5 },
  },
  { scenario: 'latency', measure: 'max', pick: (f) => f.latency?.maxMs, format: millis },
  {
    scenario: 'many-topics',
    measure: 'deliveries/s',
    pick: (f) => f.deliveriesPerSecond,
    format: perSecond,
    target: { against: 'raw-ws', op: '>=', ratio: 0.8 },
  },
  {
    scenario: 'many-topics',
    measure: 'server CPU per delivery',
    pick: (f) => f.cpuMicrosPerDelivery,
    format: micros,
  },
  {
    scenario: 'idle',
    measure: 'server RSS per connection',
    pick: (f) => f.rssPerConnectionBytes,
    format: kib,
    target: { against: 'raw-ws', op: '<=', ratio: 1.3 },
  },
  {
    scenario: 'slow-consumer',
    measure: "readers' deliveries/s, before",
    pick: (f) => f.slow?.controlPerSecond,
    format: perSecond,
  },
  {
    scenario: 'slow-consumer',
    measure: "readers' deliveries/s, while one is stalled",
    pick: (f) => f.slow?.slowPhasePerSecond,
    format: perSecond,
  },
  {
    scenario: 'slow-consumer',
    measure: 'server RSS growth while stalled',
    pick: (f) => f.slow?.rssGrowthBytes,
    format: mib,
  },
  {
    scenario: 'slow-consumer',
    measure: 'server RSS growth, second half of the stall',
    pick: (f) => f.slow?.rssGrowthSecondHalfBytes,
    format: mib,
  },
  { scenario: 'slow-consumer', measure: 'server peak RSS', pick: (f) => f.slow?.peakRssBytes, format: mib },
];

function cell(scenario: ScenarioOutcome | undefined, server: ServerKind, row: Row): string {
  const outcome = scenario?.servers[server];
  if (!outcome) return 'not run';
  if (!outcome.figures) return outcome.error ? 'failed' : '–';
  if (row.measure === 'server / load-gen CPU share') {
    // Near 100% means that process was the bottleneck; far below, the machine's other work was.
    const f = outcome.figures;
    return f.serverCpuShare === undefined
      ? '–'
      : `${share(f.serverCpuShare)} / ${share(f.loadgenCpuShare ?? 0)}`;
  }
  const value = row.pick(outcome.figures);
  return value === undefined ? '–' : row.format(value);
}

function value(scenario: ScenarioOutcome | undefined, server: ServerKind, pick: Pick): number | undefined {
  const figures = scenario?.servers[server]?.figures;
  return figures ? pick(figures) : undefined;
}

/** topicsocket ÷ baseline for a row, and whether it meets the target. */
export function verdict(report: BenchReport, row: Row): { ratio?: number; met?: boolean } {
  const scenario = report.scenarios.find((s) => s.id === row.scenario);
  const against = row.target?.against ?? 'raw-ws';
  const ours = value(scenario, 'topicsocket', row.pick);
  const theirs = value(scenario, against, row.pick);
  if (ours === undefined || theirs === undefined || theirs === 0) return {};
  const ratio = ours / theirs;
  if (!row.target) return { ratio };
  return { ratio, met: row.target.op === '>=' ? ratio >= row.target.ratio : ratio <= row.target.ratio };
}

function slowConsumerLine(report: BenchReport): string[] {
  const scenario = report.scenarios.find((s) => s.id === 'slow-consumer');
  if (!scenario) return [];
  const lines = [
    '',
    "Slow consumer, per server: readers kept (stalled ÷ before), stalled subscriber's fate:",
    '',
  ];
  for (const server of SERVERS) {
    const slow = scenario.servers[server]?.figures?.slow;
    if (!slow) continue;
    const kept = slow.controlPerSecond ? slow.slowPhasePerSecond / slow.controlPerSecond : 0;
    lines.push(
      `- ${SERVER_LABELS[server]}: readers kept ${(kept * 100).toFixed(0)}% of their rate; the stalled subscriber ` +
        `${slow.slowDisconnected ? 'was disconnected' : 'stayed connected'} after ${slow.slowReceived.toLocaleString('en-US')} deliveries; ` +
        `server RSS grew ${mib(slow.rssGrowthBytes)} (target: bounded, readers ≥ 90%).`,
    );
  }
  return lines;
}

/** `chart`: the file stem of the SVG written next to it (latest, quick, partial-...). */
export function renderMarkdown(report: BenchReport, chart = 'latest'): string {
  const lines: string[] = [];
  lines.push(
    `# topicsocket benchmark results${report.quick ? ' (quick run: toy sizes, not for comparison)' : ''}`,
    '',
  );
  lines.push(`Run ${report.startedAt}, ${Math.round(report.durationMs / 1000)} s, on ${report.machine}.`, '');
  lines.push(
    'Ratios compare runs made in the same invocation; absolute figures depend on the machine and on whatever else it runs.',
    '',
  );
  lines.push(
    `| scenario | measure | ${SERVERS.map((s) => SERVER_LABELS[s]).join(' | ')} | topicsocket ÷ baseline | target | met |`,
  );
  lines.push(`| --- | --- | ${SERVERS.map(() => '---:').join(' | ')} | ---: | --- | --- |`);
  for (const row of ROWS) {
    const scenario = report.scenarios.find((s) => s.id === row.scenario);
    if (!scenario) continue;
    const { ratio, met } = verdict(report, row);
    const target = row.target
      ? `${row.target.op} ${row.target.ratio}× ${SERVER_LABELS[row.target.against]}`
      : '';
    const metCell = met === undefined ? (row.target ? 'n/a' : '') : met ? 'yes' : '**no**';
    lines.push(
      `| ${scenario.title} | ${row.measure} | ${SERVERS.map((s) => cell(scenario, s, row)).join(' | ')} | ${ratio === undefined ? '' : `${ratio.toFixed(2)}×`} | ${target} | ${metCell} |`,
    );
  }
  lines.push(...slowConsumerLine(report));
  lines.push('', '## Delivery integrity', '');
  for (const scenario of report.scenarios) {
    for (const server of SERVERS) {
      const outcome = scenario.servers[server];
      if (!outcome) continue;
      const status = outcome.failedRuns.length
        ? `FAILED: ${outcome.failedRuns.join('; ')}`
        : scenario.id === 'idle'
          ? 'completed (no messages in this scenario)'
          : 'every delivery exactly once, in order';
      lines.push(
        `- ${scenario.title}, ${SERVER_LABELS[server]} (${outcome.runs} run${outcome.runs === 1 ? '' : 's'}): ${status}`,
      );
    }
  }
  if (report.extras.length) {
    lines.push('', '## Other measurements', '');
    for (const extra of report.extras) {
      lines.push(`### ${extra.title} (${extra.status})`, '', ...extra.lines.map((line) => `- ${line}`), '');
    }
  }
  if (report.notes.length) lines.push('', '## Notes', '', ...report.notes.map((note) => `- ${note}`));
  lines.push('', `Chart: [${chart}.svg](${chart}.svg)`, '');
  return lines.join('\n');
}

/** True when a run lost or duplicated a delivery or failed outright: the whole bench is then marked failed. */
export function hasFailures(report: BenchReport): boolean {
  return report.scenarios.some((scenario) =>
    Object.values(scenario.servers).some(
      (outcome) => outcome?.error || outcome?.figures?.integrityProblems.length,
    ),
  );
}
