import { afterEach, describe, expect, it } from 'vitest';
import { jitteredAge } from '../../src/client/backoff.ts';
import { backoffDelay, type StateChange } from '../../src/client/index.ts';
import { Clients } from './support/clients.ts';
import { nextEvent, seededRandom } from './support/events.ts';
import { startTestServer, type TestServer } from './support/servers.ts';
import { TcpProxy } from './support/tcp-proxy.ts';

const options = { minDelayMs: 500, maxDelayMs: 20_000, factor: 2 };
const ceiling = (attempt: number) => Math.min(options.maxDelayMs, options.minDelayMs * 2 ** (attempt + 1));

describe('backoffDelay', () => {
  it('stays between the floor and an exponentially growing, capped ceiling', () => {
    const random = seededRandom(42);
    for (let attempt = 0; attempt < 40; attempt++) {
      for (let sample = 0; sample < 50; sample++) {
        const delay = backoffDelay(attempt, options, random);
        expect(delay).toBeGreaterThanOrEqual(options.minDelayMs);
        expect(delay).toBeLessThanOrEqual(ceiling(attempt));
      }
    }
  });

  it('reaches the ceiling with random near 1 and the floor with random 0', () => {
    expect(
      [0, 1, 2, 3, 4, 5, 6, 10].map((attempt) => backoffDelay(attempt, options, () => 0.999_999)),
    ).toEqual([1000, 2000, 4000, 8000, 16000, 20000, 20000, 20000]);
    expect(backoffDelay(7, options, () => 0)).toBe(500);
  });

  it('is jittered (spread over its range) and grows on average', () => {
    const random = seededRandom(7);
    const means: number[] = [];
    for (let attempt = 0; attempt < 6; attempt++) {
      const delays = Array.from({ length: 400 }, () => backoffDelay(attempt, options, random));
      expect(new Set(delays).size).toBeGreaterThan(100);
      const mean = delays.reduce((sum, delay) => sum + delay, 0) / delays.length;
      // Uniform over [floor, ceiling]: the mean sits near the middle.
      const middle = (options.minDelayMs + ceiling(attempt)) / 2;
      expect(Math.abs(mean - middle)).toBeLessThan((ceiling(attempt) - options.minDelayMs) * 0.1);
      means.push(mean);
    }
    expect([...means].sort((a, b) => a - b)).toEqual(means);
  });

  it('never overflows after days of failures', () => {
    expect(backoffDelay(10_000, options, () => 0.5)).toBe(10_250);
  });
});

describe('jitteredAge', () => {
  it('takes up to the given share off the maximum age, never adds to it', () => {
    const max = 110 * 60_000;
    expect(jitteredAge(max, 0.1, () => 0)).toBe(max);
    expect(jitteredAge(max, 0.1, () => 1)).toBe(99 * 60_000);
    const random = seededRandom(3);
    const ages = Array.from({ length: 200 }, () => jitteredAge(max, 0.1, random));
    expect(Math.max(...ages)).toBeLessThanOrEqual(max);
    expect(Math.min(...ages)).toBeGreaterThanOrEqual(99 * 60_000);
    expect(new Set(ages).size).toBeGreaterThan(150);
  });
});

describe('reconnect delays observed on a live client', () => {
  const clients = new Clients();
  let test: TestServer | undefined;
  let proxy: TcpProxy | undefined;

  afterEach(async () => {
    await clients.closeAll();
    await proxy?.close();
    await test?.server.close();
  });

  /** Records the reconnect state changes and when each happened. */
  function record(client: ReturnType<Clients['create']>): Array<StateChange & { at: number }> {
    const changes: Array<StateChange & { at: number }> = [];
    client.on('state', (change) => {
      if (change.delayMs !== undefined) changes.push({ ...change, at: Date.now() });
    });
    return changes;
  }

  async function failures(client: ReturnType<Clients['create']>, count: number): Promise<void> {
    for (let i = 0; i < count; i++)
      await nextEvent(client, 'state', (change) => change.delayMs !== undefined);
  }

  it('waits longer after each failed attempt, up to the cap, and really waits that long', async () => {
    test = await startTestServer();
    proxy = await TcpProxy.start(test.server.port);
    proxy.refuse = true;
    const reconnect = { minDelayMs: 20, maxDelayMs: 200 };
    const client = clients.create({ url: proxy.url, reconnect, random: () => 0.999_999 });
    const changes = record(client);
    await failures(client, 6);
    expect(changes.map((change) => change.delayMs)).toEqual([40, 80, 160, 200, 200, 200]);
    expect(changes.every((change) => change.state === 'connecting' && change.code === 1006)).toBe(true);
    // The next attempt starts no sooner than announced (timers never fire early; 1 ms for clock rounding).
    for (let i = 1; i < changes.length; i++) {
      const previous = changes[i - 1] as (typeof changes)[number];
      expect((changes[i] as (typeof changes)[number]).at - previous.at).toBeGreaterThanOrEqual(
        (previous.delayMs as number) - 1,
      );
    }
    expect(proxy.accepted).toBe(6);
  });

  it('jitters the delays of a live client', async () => {
    test = await startTestServer();
    proxy = await TcpProxy.start(test.server.port);
    proxy.refuse = true;
    const reconnect = { minDelayMs: 10, maxDelayMs: 80 };
    const client = clients.create({ url: proxy.url, reconnect, random: seededRandom(11) });
    const changes = record(client);
    await failures(client, 8);
    const delays = changes.map((change) => change.delayMs as number);
    delays.forEach((delay, attempt) => {
      expect(delay).toBeGreaterThanOrEqual(10);
      expect(delay).toBeLessThanOrEqual(Math.min(80, 10 * 2 ** (attempt + 1)));
    });
    expect(new Set(delays.slice(2)).size).toBeGreaterThan(1);
  });

  it('resets the backoff after a stable connection, and not after a short one', async () => {
    test = await startTestServer();
    proxy = await TcpProxy.start(test.server.port);
    const run = async (stableAfterMs: number) => {
      const reconnect = { minDelayMs: 20, maxDelayMs: 2_000, stableAfterMs };
      const client = await clients.connected({
        url: proxy?.url as string,
        reconnect,
        random: () => 0.999_999,
      });
      const changes = record(client);
      // Two failed attempts, then a connection, then a drop.
      (proxy as TcpProxy).refuse = true;
      proxy?.dropAll();
      await failures(client, 2);
      (proxy as TcpProxy).refuse = false;
      await nextEvent(client, 'state', (change) => change.state === 'connected');
      proxy?.dropAll();
      await failures(client, 1);
      await client.close();
      return changes.map((change) => change.delayMs);
    };
    // Every connection counts as stable: the drop after the reconnect starts again from the floor.
    expect(await run(0)).toEqual([40, 80, 40]);
    // No connection is stable: the backoff keeps growing.
    expect(await run(60_000)).toEqual([40, 80, 160]);
  });
});
