/**
 * Presence's churn cap and member claims from the environment (both runtimes read the same names and
 * parsers: src/core/config-env.ts), over the broker's defaults.
 */
import { describe, expect, it } from 'vitest';
import { brokerLimitsFrom, defaultBrokerLimits } from '../../../src/core/config.ts';
import { BrokerEnvironment as B, EnvReader, readBrokerSettings } from '../../../src/core/config-env.ts';
import { loadAwsRuntimeConfig, presenceLimits } from '../../../src/runtimes/aws/config.ts';

const load = (extra: Record<string, string>) =>
  loadAwsRuntimeConfig({ TOPICSOCKET_TABLE: 'table', ...extra });

describe('presence settings from the environment', () => {
  it('keeps the defaults when unset, and reads both', () => {
    expect(presenceLimits(load({}))).toEqual({});
    expect(
      presenceLimits(load({ [B.presenceEventsPerSecond]: '25', [B.presenceClaims]: 'sub, name role' })),
    ).toEqual({ presenceEventsPerSecond: 25, presenceClaims: ['sub', 'name', 'role'] });
    // Set but empty: members show no claims at all (only their `user` data, if any).
    expect(presenceLimits(load({ [B.presenceClaims]: ' ' }))).toEqual({ presenceClaims: [] });
    expect(defaultBrokerLimits.presenceClaims).toEqual(['sub']);
  });

  it('refuses bad values at cold start, naming the variable', () => {
    expect(() => load({ [B.presenceEventsPerSecond]: '0' })).toThrow(
      /TOPICSOCKET_PRESENCE_EVENTS_PER_SECOND/,
    );
    expect(() => load({ [B.presenceClaims]: 'sub,a.b[0]' })).toThrow(
      /TOPICSOCKET_PRESENCE_CLAIMS.*"a\.b\[0\]"/,
    );
    const many = Array.from({ length: 17 }, (_, i) => `c${i}`).join(',');
    expect(() => load({ [B.presenceClaims]: many })).toThrow(/at most 16 claims/);
  });

  it('reads the same way in `topicsocket dev` (readBrokerSettings, then brokerLimitsFrom)', () => {
    const reader = new EnvReader({ [B.presenceEventsPerSecond]: '3', [B.presenceClaims]: 'sub,team' });
    expect(brokerLimitsFrom(readBrokerSettings(reader))).toEqual({
      presenceEventsPerSecond: 3,
      presenceClaims: ['sub', 'team'],
    });
    expect(reader.problems).toEqual([]);
  });
});
