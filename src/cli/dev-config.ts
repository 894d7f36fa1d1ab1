/**
 * `topicsocket dev`'s limits: its flags over the environment variables the Lambda reads too
 * (src/core/config-env.ts), validated by the same parsers; the Lambda's variables it has no use for are
 * named, not silently ignored. docs/configuration.md has the table of both runtimes.
 */
import type { ParseArgsConfig } from 'node:util';
import {
  type BrokerLimits,
  BrokerRanges,
  type BrokerSettings,
  brokerLimitsFrom,
  defaultBrokerLimits,
  type EnvReader,
  parseInteger,
  parseRate,
  readBrokerSettings,
} from '../core/index.ts';
import type { RateLimit } from '../core/limits/index.ts';
import { defaultEmulatorLimits, type EmulatorLimits } from '../runtimes/emulator/limits.ts';
import { LambdaEnvironment } from '../stores/dynamodb/table-design.ts';
import { UsageError } from './io.ts';

export const limitArgs = {
  'history-messages': { type: 'string' },
  'history-seconds': { type: 'string' },
  'max-connections-per-ip': { type: 'string' },
  'publish-rate': { type: 'string' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

const DEFAULT_RATE = defaultBrokerLimits.publishRate;
const MAX_CONNECTIONS_PER_IP = { min: 0, max: 10_000_000 };

export const limitUsage = [
  `  --history-messages N  messages of history kept per topic (default ${defaultBrokerLimits.history ? defaultBrokerLimits.history.maxMessages : 0}; 0 turns history off); also $TOPICSOCKET_HISTORY_MESSAGES`,
  `  --history-seconds S   seconds a message stays in history (default ${defaultBrokerLimits.history ? defaultBrokerLimits.history.maxAgeSeconds : 0}); also $TOPICSOCKET_HISTORY_SECONDS`,
  `  --max-connections-per-ip N  connections from one address (default ${defaultEmulatorLimits.maxConnectionsPerIp}; 0: no limit), e.g. for load tests`,
  `  --publish-rate R/B|off  publish frames per connection: R per second, bursts of B (default ${rateText(DEFAULT_RATE)}); also $TOPICSOCKET_PUBLISH_RATE`,
  `  $TOPICSOCKET_MAX_SUBSCRIPTIONS  subscriptions per connection (default ${defaultBrokerLimits.maxSubscriptionsPerConnection})`,
].join('\n');

/** The Lambda's variables `dev` does not read, and why (the rest of LambdaEnvironment is read). */
const NOT_FOR_DEV: Record<string, string> = {
  [LambdaEnvironment.tableName]: 'use --table with --store dynamodb',
  [LambdaEnvironment.dynamodbEndpoint]: 'use --dynamodb-endpoint with --store dynamodb',
  [LambdaEnvironment.managementEndpoint]: 'the emulator serves @connections itself',
  [LambdaEnvironment.sendConcurrency]: 'deliveries are in-process, not @connections posts',
  [LambdaEnvironment.subscriberPageSize]: 'Lambda only',
  [LambdaEnvironment.metricsNamespace]: 'CloudWatch metrics are Lambda only',
  TOPICSOCKET_PUBLISH_AUTH: 'IAM auth of the HTTP API route is AWS only',
};

export interface DevLimits {
  broker: Partial<BrokerLimits>;
  emulator: Partial<EmulatorLimits>;
  /** Variables that are set but mean nothing to `dev`, each with why: said at startup. */
  unused: string[];
  /** One line for the banner. */
  summary: string;
}

type Values = Record<string, string | boolean | undefined>;

/**
 * Flags win over variables. `envRate` is TOPICSOCKET_PUBLISH_RATE as the auth configuration read it.
 * Throws one UsageError naming every bad value (flags and variables alike).
 */
export function devLimits(
  values: Values,
  reader: EnvReader,
  env: Readonly<Record<string, string | undefined>>,
  envRate: RateLimit | false | undefined,
): DevLimits {
  const problems = reader.problems;
  const settings: BrokerSettings = readBrokerSettings(reader);
  const flag = <T>(
    name: string,
    parse: (raw: string) => { value: T } | { problem: string },
  ): T | undefined => {
    const raw = values[name];
    if (typeof raw !== 'string') return undefined;
    const parsed = parse(raw);
    if ('problem' in parsed) {
      problems.push(`--${name} ${parsed.problem}`);
      return undefined;
    }
    return parsed.value;
  };
  const messages = flag('history-messages', (raw) => parseInteger(raw, BrokerRanges.historyMessages));
  if (messages !== undefined) settings.historyMessages = messages;
  const seconds = flag('history-seconds', (raw) => parseInteger(raw, BrokerRanges.historySeconds));
  if (seconds !== undefined) settings.historySeconds = seconds;
  const perIp = flag('max-connections-per-ip', (raw) => parseInteger(raw, MAX_CONNECTIONS_PER_IP));
  const rate = flag('publish-rate', parseRate) ?? envRate;
  if (problems.length > 0) throw new UsageError(`invalid configuration: ${problems.join('; ')}`);

  const broker = brokerLimitsFrom(settings);
  if (rate !== undefined) broker.publishRate = rate;
  const emulator: Partial<EmulatorLimits> = {};
  if (perIp !== undefined) emulator.maxConnectionsPerIp = perIp;
  const unused = Object.entries(NOT_FOR_DEV)
    .filter(([name]) => env[name]?.trim())
    .map(([name, why]) => `${name} (${why})`);

  const subscriptions =
    broker.maxSubscriptionsPerConnection ?? defaultBrokerLimits.maxSubscriptionsPerConnection;
  const connections = emulator.maxConnectionsPerIp ?? defaultEmulatorLimits.maxConnectionsPerIp;
  const summary = [
    `${subscriptions} subscriptions per connection`,
    `publish ${rateText(broker.publishRate ?? DEFAULT_RATE)}`,
    connections === 0 ? 'no per-address connection cap' : `${connections} connections per address`,
  ].join(', ');
  return { broker, emulator, unused, summary };
}

function rateText(rate: RateLimit | false): string {
  return rate === false ? 'unlimited' : `${rate.perSecond}/${rate.burst}`;
}
