import type { Figures } from './figures.ts';
import type { ServerKind } from './ipc.ts';
import { type BenchReport, type ScenarioId, SERVER_LABELS, SERVERS } from './outcome.ts';

const COLORS: Record<ServerKind, string> = {
  'raw-ws': '#6b7280',
  socketio: '#f59e0b',
  topicsocket: '#2563eb',
  'topicsocket-dynamodb': '#7c3aed',
  'topicsocket-hooks': '#0891b2',
};

interface Bar {
  label: string;
  value: number;
  color: string;
  text: string;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** One panel of horizontal bars, scaled to its own maximum. */
function panel(
  title: string,
  bars: Bar[],
  x: number,
  y: number,
  width: number,
): { svg: string; height: number } {
  const rowHeight = 22;
  const labelWidth = 120;
  const max = Math.max(1e-9, ...bars.map((bar) => bar.value));
  const parts = [`<text x="${x}" y="${y + 14}" font-size="14" font-weight="bold">${escapeXml(title)}</text>`];
  bars.forEach((bar, i) => {
    const top = y + 24 + i * rowHeight;
    const length = ((width - labelWidth - 110) * bar.value) / max;
    parts.push(
      `<text x="${x}" y="${top + 14}" font-size="12">${escapeXml(bar.label)}</text>`,
      `<rect x="${x + labelWidth}" y="${top + 2}" width="${length.toFixed(1)}" height="${rowHeight - 6}" fill="${bar.color}"/>`,
      `<text x="${(x + labelWidth + length + 6).toFixed(1)}" y="${top + 14}" font-size="12">${escapeXml(bar.text)}</text>`,
    );
  });
  return { svg: parts.join('\n'), height: 24 + bars.length * rowHeight + 16 };
}

function throughputBars(report: BenchReport, id: ScenarioId): Bar[] {
  const scenario = report.scenarios.find((s) => s.id === id);
  return SERVERS.flatMap((server) => {
    const value = scenario?.servers[server]?.figures?.deliveriesPerSecond;
    return value === undefined
      ? []
      : [
          {
            label: SERVER_LABELS[server],
            value,
            color: COLORS[server],
            text: `${Math.round(value).toLocaleString('en-US')}/s`,
          },
        ];
  });
}

function latencyBars(report: BenchReport): Bar[] {
  const scenario = report.scenarios.find((s) => s.id === 'latency');
  const bars: Bar[] = [];
  for (const server of SERVERS) {
    const latency: Figures['latency'] = scenario?.servers[server]?.figures?.latency;
    if (!latency) continue;
    bars.push(
      {
        label: `${SERVER_LABELS[server]} p50`,
        value: latency.p50Ms,
        color: COLORS[server],
        text: `${latency.p50Ms.toFixed(2)} ms`,
      },
      {
        label: `${SERVER_LABELS[server]} p99`,
        value: latency.p99Ms,
        color: COLORS[server],
        text: `${latency.p99Ms.toFixed(2)} ms`,
      },
    );
  }
  return bars;
}

/** Hand-written SVG: fan-out and many-topics throughput, and latency at a fixed rate. */
export function renderChart(report: BenchReport): string {
  const width = 640;
  const fanoutTitle = report.scenarios.find((s) => s.id === 'fanout')?.title ?? 'Fan-out';
  const manyTitle = report.scenarios.find((s) => s.id === 'many-topics')?.title ?? 'Many topics';
  const latencyTitle = report.scenarios.find((s) => s.id === 'latency')?.title ?? 'Latency';
  const panels = [
    [`${fanoutTitle}: deliveries/s (higher is better)`, throughputBars(report, 'fanout')],
    [`${manyTitle}: deliveries/s (higher is better)`, throughputBars(report, 'many-topics')],
    [`${latencyTitle}: publish → receive (lower is better)`, latencyBars(report)],
  ] as const;
  let y = 36;
  const body: string[] = [];
  for (const [title, bars] of panels) {
    const drawn = panel(title, [...bars], 16, y, width - 32);
    body.push(drawn.svg);
    y += drawn.height;
  }
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y}" viewBox="0 0 ${width} ${y}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="16" y="22" font-size="16" font-weight="bold">topicsocket vs raw ws vs Socket.IO${report.quick ? ' (quick run)' : ''}</text>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}
