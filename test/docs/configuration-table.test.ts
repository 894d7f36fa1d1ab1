/**
 * docs/configuration.md's table is the one list of runtime variables a user reads: it must name every
 * variable src/core/config-env.ts defines for the runtimes, no other, and give the defaults the code uses.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RETENTION, defaultBrokerLimits } from '../../src/core/config.ts';
import {
  AuthEnvironment,
  BrokerEnvironment,
  DEFAULT_PUBLISH_AUTH,
  FanoutEnvironment,
  LambdaEnvironment,
  RuntimeVariables,
} from '../../src/core/config-env.ts';
import { defaultShardingSettings } from '../../src/core/sharding/settings.ts';
import { defaultSendConcurrency, defaultSubscriberPageSize } from '../../src/runtimes/aws/config.ts';

const doc = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');

/** The table's rows, as cells: setting, variable, flag, default, Lambda, dev. */
const rows = doc
  .split('\n')
  .filter((line) => line.startsWith('| ') && !line.startsWith('| ---') && !line.startsWith('| setting'))
  .map((line) =>
    line
      .slice(2, -2)
      .split(/(?<!\\)\|/)
      .map((cell) => cell.trim()),
  );

const variablesOf = (cell: string) => [...cell.matchAll(/`(TOPICSOCKET_[A-Z_]+)`/g)].map((match) => match[1]);

/** The default cell of the row that names `variable`. */
function defaultOf(variable: string): string {
  const row = rows.find((cells) => variablesOf(cells[1] ?? '').includes(variable));
  if (!row) throw new Error(`no row for ${variable}`);
  return row[3] ?? '';
}

describe('docs/configuration.md', () => {
  it('lists every runtime variable of src/core/config-env.ts, and no other', () => {
    const documented = rows.flatMap((cells) => variablesOf(cells[1] ?? ''));
    expect([...new Set(documented)].sort()).toEqual([...new Set(RuntimeVariables)].sort());
  });

  it('gives the defaults the code uses', () => {
    const history = DEFAULT_RETENTION;
    expect(defaultOf(BrokerEnvironment.historyMessages)).toBe(String(history.maxMessages));
    expect(defaultOf(BrokerEnvironment.historySeconds)).toBe(String(history.maxAgeSeconds));
    expect(defaultOf(BrokerEnvironment.presenceEventsPerSecond)).toBe(
      String(defaultBrokerLimits.presenceEventsPerSecond),
    );
    expect(defaultOf(BrokerEnvironment.presenceClaims)).toBe(
      defaultBrokerLimits.presenceClaims.map((claim) => `\`${claim}\``).join(', '),
    );
    expect(defaultOf(BrokerEnvironment.maxSubscriptions)).toBe(
      String(defaultBrokerLimits.maxSubscriptionsPerConnection),
    );
    const rate = defaultBrokerLimits.publishRate;
    expect(defaultOf(AuthEnvironment.publishRate)).toBe(rate ? `\`${rate.perSecond}/${rate.burst}\`` : 'off');
    expect(defaultOf(LambdaEnvironment.sendConcurrency)).toBe(String(defaultSendConcurrency));
    expect(defaultOf(LambdaEnvironment.subscriberPageSize)).toBe(String(defaultSubscriberPageSize));
    expect(defaultOf(FanoutEnvironment.threshold)).toBe(String(defaultShardingSettings.threshold));
    expect(defaultOf('TOPICSOCKET_PUBLISH_AUTH')).toBe(`\`${DEFAULT_PUBLISH_AUTH}\``);
  });
});
