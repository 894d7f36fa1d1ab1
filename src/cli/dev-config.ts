/**
 * `topicsocket dev`'s limits: its flags over the environment variables the Lambda reads too
 * (src/core/config-env.ts), validated by the same parsers; the Lambda's variables it has no use for are
 * named, not silently ignored. docs/configuration.md has the table of both runtimes.
 */
import type { ParseArgsConfig } from 'node:util';
import { type BrokerLimits, brokerLimitsFrom, defaultBrokerLimits } from '../core/config.ts';
import {
  AuthEnvironment,
  AuthSecretEnvironment,
  BrokerEnvironment,
  BrokerRanges,
  type BrokerSettings,
  type EnvReader,
  FanoutEnvironment,
  FanoutRanges,
  LambdaEnvironment,
  PublishAuthEnvironment,
  parseInteger,
  parseRate,
  readBrokerSettings,
  readFanoutThreshold,
} from '../core/config-env.ts';
import type { RateLimit } from '../core/limits/index.ts';
import type { Retention } from '../core/ports/history.ts';
import { defaultShardingSettings } from '../core/sharding/settings.ts';
import { defaultEmulatorLimits, type EmulatorLimits } from '../runtimes/emulator/limits.ts';
import { UsageError } from './io.ts';

export const limitArgs = {
  'history-messages': { type: 'string' },
  'history-seconds': { type: 'string' },
  'max-connections-per-ip': { type: 'string' },
  'publish-rate': { type: 'string' },
  // Sharded fan-out (docs/architecture.md): the same threshold as the Lambda functions.
  'fanout-threshold': { type: 'string' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

const DEFAULT_RATE = defaultBrokerLimits.publishRate;
const DEFAULT_HISTORY = defaultBrokerLimits.history;
const MAX_CONNECTIONS_PER_IP = { min: 0, max: 10_000_000 };

export const limitUsage = [
  `  --history-messages N  messages of history kept per topic (default ${DEFAULT_HISTORY ? DEFAULT_HISTORY.maxMessages : 0}; 0 turns history off); also $${BrokerEnvironment.historyMessages}`,
  `  --history-seconds S   seconds a message stays in history (default ${DEFAULT_HISTORY ? DEFAULT_HISTORY.maxAgeSeconds : 0}); also $${BrokerEnvironment.historySeconds}`,
  `  --max-connections-per-ip N  connections from one address (default ${defaultEmulatorLimits.maxConnectionsPerIp}; 0: no limit), e.g. for load tests`,
  `  --publish-rate R/B|off  publish frames per connection: R per second, bursts of B (default ${rateText(DEFAULT_RATE)}); also $${AuthEnvironment.publishRate}`,
  `  --fanout-threshold N  topics with more subscribers fan out through the in-process shard workers`,
  `                        (default: $${FanoutEnvironment.threshold}, else ${defaultShardingSettings.threshold}, as on AWS)`,
  `  $${BrokerEnvironment.maxSubscriptions}  subscriptions per connection (default ${defaultBrokerLimits.maxSubscriptionsPerConnection})`,
  `  $${BrokerEnvironment.presenceEventsPerSecond}  presence join/leave fan-outs per topic and second (default ${defaultBrokerLimits.presenceEventsPerSecond})`,
  `  $${BrokerEnvironment.presenceClaims}  token claims a presence member shows (default ${defaultBrokerLimits.presenceClaims.join(',')})`,
].join('\n');

/** The Lambda's variables `dev` does not read, and why (the rest of LambdaEnvironment is read). */
const NOT_FOR_DEV: Record<string, string> = {
  [LambdaEnvironment.tableName]: 'use --table with --store dynamodb',
  [LambdaEnvironment.dynamodbEndpoint]: 'use --dynamodb-endpoint with --store dynamodb',
  [LambdaEnvironment.managementEndpoint]: 'the emulator serves @connections itself',
  [LambdaEnvironment.sendConcurrency]: 'deliveries are in-process, not @connections posts',
  [LambdaEnvironment.subscriberPageSize]: 'Lambda only',
  [LambdaEnvironment.metricsNamespace]: 'CloudWatch metrics are Lambda only',
  [PublishAuthEnvironment.mode]: 'IAM auth of the HTTP API route is AWS only',
  [FanoutEnvironment.queueUrl]: 'the fan-out queue is in-process',
  [FanoutEnvironment.sqsEndpoint]: 'the fan-out queue is in-process',
  [AuthSecretEnvironment.secretArn]: 'set the auth variables themselves',
  [AuthSecretEnvironment.parameterArn]: 'set the auth variables themselves',
};

export interface DevLimits {
  broker: Partial<BrokerLimits>;
  emulator: Partial<EmulatorLimits>;
  /** The history retention in force (the default unless set), or false: history off. */
  history: Retention | false;
  /** Subscribers above which a publish goes through the shard workers. */
  fanoutThreshold: number;
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
  const fanoutThreshold =
    flag('fanout-threshold', (raw) => parseInteger(raw, FanoutRanges.threshold)) ??
    readFanoutThreshold(reader) ??
    defaultShardingSettings.threshold;
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
  const history = broker.history ?? DEFAULT_HISTORY;
  return { broker, emulator, history, fanoutThreshold, unused, summary };
}

function rateText(rate: RateLimit | false): string {
  return rate === false ? 'unlimited' : `${rate.perSecond}/${rate.burst}`;
}
