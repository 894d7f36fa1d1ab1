import { describe, expect, it } from 'vitest';
import { historyLimits, loadAwsRuntimeConfig } from '../../src/runtimes/aws/config.ts';
import { LambdaEnvironment as V } from '../../src/stores/dynamodb/table-design.ts';

describe('history retention from the Lambda environment', () => {
  const load = (extra: Record<string, string>) => loadAwsRuntimeConfig({ [V.tableName]: 'table', ...extra });

  it('keeps the broker defaults when unset, and reads both knobs', () => {
    expect(historyLimits(load({}))).toEqual({});
    expect(historyLimits(load({ [V.historyMessages]: '200' }))).toEqual({
      history: { maxMessages: 200, maxAgeSeconds: 300 },
    });
    expect(historyLimits(load({ [V.historyMessages]: '50', [V.historySeconds]: '900' }))).toEqual({
      history: { maxMessages: 50, maxAgeSeconds: 900 },
    });
    expect(historyLimits(load({ [V.historyMessages]: '0' }))).toEqual({ history: false });
  });

  it('refuses values out of range, naming the variable', () => {
    expect(() => load({ [V.historySeconds]: '0' })).toThrow(/TOPICSOCKET_HISTORY_SECONDS/);
    expect(() => load({ [V.historyMessages]: 'many' })).toThrow(/TOPICSOCKET_HISTORY_MESSAGES/);
  });
});
