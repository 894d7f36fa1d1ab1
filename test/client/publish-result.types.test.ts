/**
 * `PublishResult` says what the server sends: with history on, `offset` and `epoch` are both there (no `!`
 * needed once narrowed); with history off, neither. Checked by the type checker (`npm run check`) and run.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { PublishResult } from '../../src/client/index.ts';
import { Clients } from './support/clients.ts';
import { startTestServer } from './support/servers.ts';

describe('PublishResult', () => {
  it('narrows to a position with both fields, and is { topic } with history off', async () => {
    const on = await startTestServer({ console: false, publishApi: false });
    const off = await startTestServer({
      console: false,
      publishApi: false,
      brokerLimits: { history: false },
    });
    const clients = new Clients();
    try {
      const withHistory: PublishResult = await (await clients.connected({ url: on.server.url })).publish(
        't',
        1,
      );
      expect(withHistory).toEqual({ topic: 't', offset: 1, epoch: expect.any(String) });
      if (withHistory.offset !== undefined) {
        expectTypeOf(withHistory.epoch).toEqualTypeOf<string>();
        expectTypeOf(withHistory.offset).toEqualTypeOf<number>();
      }
      const withoutHistory = await (await clients.connected({ url: off.server.url })).publish('t', 1);
      expect(withoutHistory).toEqual({ topic: 't' });
    } finally {
      await clients.closeAll();
      await on.server.close();
      await off.server.close();
    }
  });
});
