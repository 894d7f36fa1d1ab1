import { type BrokerLimits, brokerLimitsFrom, defaultBrokerLimits } from '../../core/config.ts';
import {
  type BrokerSettings,
  type Env,
  EnvReader,
  FanoutEnvironment,
  InlineFanout,
  LambdaEnvironment,
  LambdaRanges,
  type PublishAuthMode,
  readBrokerSettings,
  readFanoutThreshold,
  readPublishAuth,
} from '../../core/config-env.ts';

/** Everything the Lambda reads from its environment, validated once at cold start. */
export interface AwsRuntimeConfig {
  tableName: string;
  /** Unset: derived per event from `requestContext.domainName` + `stage` (default domain only). */
  managementEndpoint?: string;
  /** Unset on AWS; DynamoDB Local in tests and local runs. */
  dynamodbEndpoint?: string;
  sendConcurrency: number;
  subscriberPageSize: number;
  maxSubscriptions: number;
  metricsNamespace: string;
  /** History retention; unset: the broker's default (DEFAULT_RETENTION, src/core/config.ts). 0 messages: off. */
  historyMessages?: number;
  historySeconds?: number;
  /** TOPICSOCKET_PRESENCE_EVENTS_PER_SECOND / _CLAIMS (docs/protocol.md, "Presence"). */
  presenceEventsPerSecond?: number;
  presenceClaims?: readonly string[];
  /** The sharded fan-out's queue (SQS URL); unset: every publish fans out inline. */
  fanoutQueueUrl?: string;
  /** Unset on AWS; a local SQS stand-in in tests. */
  sqsEndpoint?: string;
  /** Subscribers above which a publish is sharded; unset: the default (src/core/sharding/settings.ts). */
  fanoutThreshold?: number;
}

/** `@connections` posts in flight per invocation (TOPICSOCKET_SEND_CONCURRENCY), and sockets per endpoint. */
export const defaultSendConcurrency = 50;

/** Subscribers read per DynamoDB Query page (TOPICSOCKET_SUBSCRIBER_PAGE_SIZE): one page, 1 MB or less. */
export const defaultSubscriberPageSize = 1000;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * Reads and validates the Lambda configuration. Throws one ConfigError listing every bad variable by name,
 * so a broken deploy fails at cold start with a message that says what to fix.
 */
export function loadAwsRuntimeConfig(env: Env): AwsRuntimeConfig {
  const reader = new EnvReader(env);
  const problems = reader.problems;
  const V = LambdaEnvironment;

  const tableName = reader.text(V.tableName) ?? '';
  if (!tableName) problems.push(`${V.tableName} is required (the DynamoDB table name)`);
  else if (!/^[A-Za-z0-9_.-]{3,255}$/.test(tableName)) {
    problems.push(
      `${V.tableName} must be a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -), got "${tableName}"`,
    );
  }

  const broker = readBrokerSettings(reader);
  const config: AwsRuntimeConfig = {
    tableName,
    sendConcurrency:
      reader.integer(V.sendConcurrency, LambdaRanges.sendConcurrency) ?? defaultSendConcurrency,
    subscriberPageSize:
      reader.integer(V.subscriberPageSize, LambdaRanges.subscriberPageSize) ?? defaultSubscriberPageSize,
    maxSubscriptions: broker.maxSubscriptions ?? defaultBrokerLimits.maxSubscriptionsPerConnection,
    metricsNamespace: reader.text(V.metricsNamespace) || 'topicsocket',
  };
  const fanoutThreshold = readFanoutThreshold(reader);
  if (fanoutThreshold !== undefined) config.fanoutThreshold = fanoutThreshold;
  const fanoutQueueUrl =
    reader.text(FanoutEnvironment.queueUrl) === InlineFanout
      ? undefined
      : reader.httpUrl(FanoutEnvironment.queueUrl);
  if (fanoutQueueUrl) config.fanoutQueueUrl = fanoutQueueUrl;
  const sqsEndpoint = reader.httpUrl(FanoutEnvironment.sqsEndpoint);
  if (sqsEndpoint) config.sqsEndpoint = sqsEndpoint;
  if (broker.historyMessages !== undefined) config.historyMessages = broker.historyMessages;
  if (broker.historySeconds !== undefined) config.historySeconds = broker.historySeconds;
  if (broker.presenceEventsPerSecond !== undefined) {
    config.presenceEventsPerSecond = broker.presenceEventsPerSecond;
  }
  if (broker.presenceClaims !== undefined) config.presenceClaims = broker.presenceClaims;
  const managementEndpoint = reader.httpUrl(V.managementEndpoint);
  if (managementEndpoint) config.managementEndpoint = managementEndpoint;
  const dynamodbEndpoint = reader.httpUrl(V.dynamodbEndpoint);
  if (dynamodbEndpoint) config.dynamodbEndpoint = dynamodbEndpoint;

  if (problems.length > 0) {
    throw new ConfigError(`Invalid topicsocket Lambda configuration: ${problems.join('; ')}`);
  }
  return config;
}

/**
 * TOPICSOCKET_PUBLISH_AUTH for the publish function, as strictly as the deploy reads it: a typo fails the
 * cold start instead of silently meaning `keys` (or `iam`). Unset: DEFAULT_PUBLISH_AUTH.
 */
export function loadPublishAuth(env: Env): PublishAuthMode {
  const reader = new EnvReader(env);
  const mode = readPublishAuth(reader);
  if (reader.problems.length > 0) {
    throw new ConfigError(`Invalid topicsocket Lambda configuration: ${reader.problems.join('; ')}`);
  }
  return mode;
}

/** History retention from the environment, over the broker's defaults (docs/history.md). */
export function historyLimits(config: AwsRuntimeConfig): Partial<BrokerLimits> {
  const settings: BrokerSettings = {};
  if (config.historyMessages !== undefined) settings.historyMessages = config.historyMessages;
  if (config.historySeconds !== undefined) settings.historySeconds = config.historySeconds;
  return brokerLimitsFrom(settings);
}

/** Presence's churn cap and member claims from the environment, over the broker's defaults. */
export function presenceLimits(config: AwsRuntimeConfig): Partial<BrokerLimits> {
  const settings: BrokerSettings = {};
  if (config.presenceEventsPerSecond !== undefined) {
    settings.presenceEventsPerSecond = config.presenceEventsPerSecond;
  }
  if (config.presenceClaims !== undefined) settings.presenceClaims = config.presenceClaims;
  return brokerLimitsFrom(settings);
}
