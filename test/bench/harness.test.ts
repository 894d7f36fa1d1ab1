import { describe, expect, it } from 'vitest';
import { figuresOf } from '../../bench/figures.ts';
import type { PubSubSpec } from '../../bench/ipc.ts';
import { DeliveryTally } from '../../bench/loadgen/tally.ts';
import { resultStem } from '../../bench/result-name.ts';
import { runOne } from '../../bench/run-one.ts';

const toy: PubSubSpec = {
  kind: 'pubsub',
  connections: 20,
  topics: 1,
  subscribersPerTopic: 20,
  payloadBytes: 64,
  publish: { mode: 'window', deliveries: 100 },
  warmupMs: 100,
  measureMs: 400,
  latency: true,
};

describe('bench harness', () => {
  it.each(['raw-ws', 'topicsocket'] as const)(
    'runs a toy fan-out against %s in child processes and counts every delivery',
    async (server) => {
      const record = await runOne(server, toy, 20_000);
      const figures = figuresOf(record);
      expect(record.result.kind).toBe('pubsub');
      if (record.result.kind !== 'pubsub') return;
      expect(record.result.published).toBeGreaterThan(0);
      expect(record.result.received).toBe(record.result.expected);
      expect(figures.integrityProblems).toEqual([]);
      expect(figures.deliveriesPerSecond).toBeGreaterThan(0);
      expect(figures.latency?.samples).toBeGreaterThan(0);
      // CPU and RSS come from /proc for the server's own process.
      expect(record.marks['measure-end']?.server.rssBytes).toBeGreaterThan(0);
      expect(record.serverPeakRssBytes).toBeGreaterThan(0);
    },
  );
});

describe('DeliveryTally', () => {
  it('reports lost and duplicated deliveries per publish', () => {
    const tally = new DeliveryTally();
    tally.publish(0, 2);
    tally.publish(1, 2);
    tally.deliver(0);
    tally.deliver(0);
    tally.deliver(0);
    tally.deliver(1);
    expect(tally.verdict()).toEqual({ lost: 1, duplicated: 1 });
    expect(tally.outstanding).toBe(0);
  });
});

describe('bench result files', () => {
  it('lets only a full run replace the committed latest.*', () => {
    expect(resultStem({ quick: false })).toBe('latest');
    expect(resultStem({ quick: false, only: 'idle' })).toBe('partial-idle');
    expect(resultStem({ quick: false, only: 'fanout,latency', servers: 'topicsocket' })).toBe(
      'partial-fanout-latency-topicsocket',
    );
    expect(resultStem({ quick: true, only: 'idle' })).toBe('quick');
    expect(resultStem({ quick: false, only: 'idle', name: 'rerun-idle-3' })).toBe('rerun-idle-3');
  });
});
