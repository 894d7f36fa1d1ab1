/**
 * Resource limits of the local server: connections per IP and the bound on each connection's unread output.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { LocalServer } from '../../src/runtimes/local/index.ts';
import { localServerPerTest } from '../support/local-server.ts';
import { type Attempt, Probe } from './support/probe.ts';
import { slowConsumerWatch } from './support/slow-consumer.ts';

describe('security: local resource limits', () => {
  const servers = localServerPerTest();
  let server: LocalServer | undefined;
  const probes: Probe[] = [];

  // Registered after the fixture's, so it runs first: the probes close before their server.
  afterEach(async () => {
    await Promise.all(probes.splice(0).map((probe) => probe.close()));
  });

  it('refuses connections past the per-IP limit with 429 rate_limited, and admits again once some close', async () => {
    server = await servers.start({ limits: { maxConnectionsPerIp: 50 } });
    const url = server.url;
    const attempts: Attempt[] = await Promise.all(Array.from({ length: 1000 }, () => Probe.attempt(url)));
    const opened = attempts.filter((attempt): attempt is Extract<Attempt, { open: true }> => attempt.open);
    probes.push(...opened.map((attempt) => attempt.client));
    const refused = attempts.filter((attempt): attempt is Extract<Attempt, { open: false }> => !attempt.open);
    expect(opened).toHaveLength(50);
    expect(refused).toHaveLength(950);
    for (const attempt of refused) {
      expect(attempt.status).toBe(429);
      expect(JSON.parse(attempt.body)).toMatchObject({ code: 'rate_limited' });
    }
    expect(server.connections()).toBe(50);
    // The server still works for the admitted ones, and a slot frees up when one leaves.
    const first = probes[0] as Probe;
    expect(await first.request({ type: 'ping', id: 1 })).toEqual({ type: 'pong', id: 1 });
    await (probes.pop() as Probe).close();
    const again = await waitForAdmission(url);
    probes.push(again);
  });

  it('disconnects a consumer that never reads (slow_consumer) and keeps its memory bounded', async () => {
    const { logger, dropped: droppedNow } = slowConsumerWatch();
    const maxBufferedBytes = 256 * 1024;
    server = await servers.start({
      logger,
      limits: { maxBufferedBytes, closeGraceMs: 5_000 },
    });
    const stuck = await Probe.open(server.url);
    const healthy = await Probe.open(server.url);
    probes.push(stuck, healthy);
    await stuck.request({ type: 'subscribe', topic: 'firehose', id: 1 });
    await healthy.request({ type: 'subscribe', topic: 'firehose', id: 2 });
    stuck.ws.pause(); // never reads again: the kernel buffers fill, then the server's

    const chunk = 'x'.repeat(60 * 1024);
    let published = 0;
    let stillThere = true;
    void droppedNow.then(() => {
      stillThere = false;
    });
    while (stillThere && published < 2_000) {
      await server.broker?.publish('firehose', chunk);
      published++;
      // The healthy reader keeps up, as a real one would.
      const count = published;
      await healthy.waitFor(() => healthy.messages().length >= count);
    }
    await droppedNow;
    // Dropped once the backlog passed the bound: published bytes well beyond it never piled up in memory.
    expect(server.connections()).toBe(1);
    expect(published).toBeLessThan(2_000);
    // The healthy subscriber got every message.
    await healthy.waitFor(() => healthy.messages().length === published);
    // Reading again, the stuck client finds the reason: an in-band disconnect, then close 1008 slow_consumer.
    stuck.ws.resume();
    expect(await stuck.waitFor((frame) => frame.type === 'disconnect')).toMatchObject({
      reason: 'slow_consumer',
      reconnect: true,
    });
    expect(await stuck.closed).toEqual({ code: 1008, reason: 'slow_consumer' });
  });
});

/** Connects once the server admits this address again (its `$disconnect` bookkeeping is asynchronous). */
async function waitForAdmission(url: string): Promise<Probe> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const result = await Probe.attempt(url);
    if (result.open) return result.client;
    expect(result.status).toBe(429);
  }
  throw new Error('never admitted again');
}
