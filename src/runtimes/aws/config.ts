import { type BrokerLimits, defaultBrokerLimits } from '../../core/config.ts';
import { LambdaEnvironment } from '../../stores/dynamodb/table-design.ts';

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
  /** History retention; unset: the broker's defaults (1000 messages, 300 s). 0 messages: history off. */
  historyMessages?: number;
  historySeconds?: number;
}

/** `@connections` posts in flight per invocation (TOPICSOCKET_SEND_CONCURRENCY), and sockets per endpoint. */
export const defaultSendConcurrency = 50;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads and validates the Lambda configuration. Throws one ConfigError listing every bad variable by name,
 * so a broken deploy fails at cold start with a message that says what to fix.
 */
export function loadAwsRuntimeConfig(env: Env): AwsRuntimeConfig {
  const problems: string[] = [];
  const V = LambdaEnvironment;

  const tableName = env[V.tableName]?.trim() ?? '';
  if (!tableName) problems.push(`${V.tableName} is required (the DynamoDB table name)`);
  else if (!/^[A-Za-z0-9_.-]{3,255}$/.test(tableName)) {
    problems.push(
      `${V.tableName} must be a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -), got "${tableName}"`,
    );
  }

  const url = (name: string): string | undefined => {
    const value = env[name]?.trim();
    if (!value) return undefined;
    try {
      const parsed = new URL(value);
      if (parsed.protocol === 'https:' || parsed.protocol === 'http:') return value.replace(/\/+$/, '');
    } catch {}
    problems.push(`${name} must be an http(s) URL, got "${value}"`);
    return undefined;
  };

  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const value = env[name]?.trim();
    if (!value) return fallback;
    const parsed = Number(value);
    if (Number.isInteger(parsed) && parsed >= min && parsed <= max) return parsed;
    problems.push(`${name} must be an integer from ${min} to ${max}, got "${value}"`);
    return fallback;
  };

  const config: AwsRuntimeConfig = {
    tableName,
    sendConcurrency: integer(V.sendConcurrency, defaultSendConcurrency, 1, 1000),
    subscriberPageSize: integer(V.subscriberPageSize, 1000, 1, 10_000),
    maxSubscriptions: integer(V.maxSubscriptions, 100, 1, 1000),
    metricsNamespace: env[V.metricsNamespace]?.trim() || 'topicsocket',
  };
  if (env[V.historyMessages]?.trim()) config.historyMessages = integer(V.historyMessages, 1000, 0, 100_000);
  if (env[V.historySeconds]?.trim()) config.historySeconds = integer(V.historySeconds, 300, 1, 86_400);
  const managementEndpoint = url(V.managementEndpoint);
  if (managementEndpoint) config.managementEndpoint = managementEndpoint;
  const dynamodbEndpoint = url(V.dynamodbEndpoint);
  if (dynamodbEndpoint) config.dynamodbEndpoint = dynamodbEndpoint;

  if (problems.length > 0) {
    throw new ConfigError(`Invalid topicsocket Lambda configuration: ${problems.join('; ')}`);
  }
  return config;
}

/** History retention from the environment, over the broker's defaults (docs/history.md). */
export function historyLimits(config: AwsRuntimeConfig): Partial<BrokerLimits> {
  if (config.historyMessages === undefined && config.historySeconds === undefined) return {};
  if (config.historyMessages === 0) return { history: false };
  const defaults = defaultBrokerLimits.history || { maxMessages: 1000, maxAgeSeconds: 300 };
  return {
    history: {
      maxMessages: config.historyMessages ?? defaults.maxMessages,
      maxAgeSeconds: config.historySeconds ?? defaults.maxAgeSeconds,
    },
  };
}
