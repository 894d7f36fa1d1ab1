/**
 * A `$connect` whose store write fails (DynamoDB throttled past the SDK's retries, the table unreachable)
 * is refused with 503 and an `unavailable` error frame: the client retries (the SDK reconnects with backoff),
 * and nothing about the connection is left behind.
 */
import { describe, expect, it } from 'vitest';
import { Broker } from '../../src/core/index.ts';
import { MemoryStore } from '../../src/stores/index.ts';
import { wsEvent } from '../support/events.ts';
import { RecordingGateway } from '../support/recording-gateway.ts';

class FailingWrites extends MemoryStore {
  failing = true;
  override async putConnection(...args: Parameters<MemoryStore['putConnection']>): Promise<void> {
    if (this.failing) throw Object.assign(new Error('throughput exceeded'), { name: 'ThrottlingException' });
    return super.putConnection(...args);
  }
}

describe('Broker $connect when the store fails', () => {
  it('answers 503 with an unavailable frame, then connects once the store is back', async () => {
    const store = new FailingWrites();
    const broker = new Broker({ store, gateway: new RecordingGateway() });
    const refused = await broker.handle(wsEvent('$connect', 'a'));
    expect(refused.statusCode).toBe(503);
    expect(JSON.parse(refused.body ?? '')).toMatchObject({
      type: 'error',
      code: 'unavailable',
      retryable: true,
    });
    expect(await store.getConnection('a')).toBeUndefined();

    store.failing = false;
    expect((await broker.handle(wsEvent('$connect', 'a'))).statusCode).toBe(200);
    expect(await store.getConnection('a')).toMatchObject({ connectionId: 'a' });
  });
});
