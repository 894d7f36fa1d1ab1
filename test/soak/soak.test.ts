/**
 * The soak and fault suite, short: the same scenarios as `npm run soak` (soak/), bounded to seconds, still
 * asserting zero loss. Loopback only; every server, JVM and child process is stopped by the scenario.
 */
import { describe, expect, it } from 'vitest';
import { soakConnections } from '../../soak/connections.ts';
import { soakDynamoDbRestart } from '../../soak/dynamodb-restart.ts';
import { soakKillDev } from '../../soak/kill-dev.ts';
import { ShortSoak } from '../../soak/plans.ts';
import { soakThrottled } from '../../soak/throttle.ts';
import { dynamoDbLocalEndpoint } from '../support/dynamodb-test-table.ts';

describe('soak (short)', () => {
  it(`holds ${ShortSoak.connections.connections} connections for ${ShortSoak.connections.holdSeconds} s: none refused, none dropped, all answer`, {
    timeout: 120_000,
  }, async () => {
    const result = await soakConnections(ShortSoak.connections);
    expect(result).toMatchObject({
      opened: ShortSoak.connections.connections,
      refused: 0,
      dropped: 0,
      pongsAtStart: ShortSoak.connections.connections,
      pongsAtEnd: ShortSoak.connections.connections,
    });
  });

  it(`loses nothing with 20% of DynamoDB requests throttled for ${ShortSoak.throttle.seconds} s`, {
    timeout: 120_000,
  }, async () => {
    const result = await soakThrottled({ endpoint: await dynamoDbLocalEndpoint(), ...ShortSoak.throttle });
    expect(result.throttledAttempts / result.dynamoDbAttempts).toBeGreaterThan(0.15);
    expect(result.throttledAttempts / result.dynamoDbAttempts).toBeLessThan(0.25);
    expect(result).toMatchObject({
      acknowledged: result.publishes,
      nonRetryableErrors: 0,
      unanswered: 0,
      missingDeliveries: 0,
      notStored: 0,
      subscribesFailed: 0,
    });
  });

  it('answers retryable errors while DynamoDB Local is down, then recovers without a restart', {
    timeout: 180_000,
  }, async () => {
    const result = await soakDynamoDbRestart(ShortSoak.restart);
    expect(result.errorsWhileDown).toBeGreaterThan(0);
    expect(Number.isFinite(result.recoverySeconds)).toBe(true);
    expect(result).toMatchObject({
      acknowledged: result.publishes,
      nonRetryableErrors: 0,
      unanswered: 0,
      missingDeliveries: 0,
      notStored: 0,
    });
  });

  it('survives kill -9 of topicsocket dev --store dynamodb mid-publish: no silent loss, no orphan rows', {
    timeout: 180_000,
  }, async () => {
    const result = await soakKillDev({ endpoint: await dynamoDbLocalEndpoint(), ...ShortSoak.killDev });
    expect(result.inFlightAtKill).toBeGreaterThan(0);
    expect(result.recovered + result.notRecovered).toBe(result.resubscribes);
    // Not asserted here, reported in docs/reliability.md: `storedTwice` (a retry after a crash between the
    // message write and the key update stores it again, issue 17 Medium 6) and `notRecovered` (the crash
    // leaves an offset without a message, which ends recovery across it).
    expect(result).toMatchObject({
      acknowledged: result.publishes,
      nonRetryableErrors: 0,
      unanswered: 0,
      notStored: 0,
      silentMissingDeliveries: 0,
      orphanSubscriptionRows: 0,
      connectionRowsWithoutTtl: 0,
    });
  });
});
