/**
 * Configuration from environment variables, for every runtime and tool: the name of every variable the
 * functions (at cold start), `topicsocket dev` (at startup) and the deploy model (deploy/model) read, and the
 * parsers every variable and its command-line flag go through, so a value means the same thing, and is
 * refused the same way, everywhere. Names and parsers only: no SDK, no I/O (the deploy tools import this
 * file). Defaults live with what they configure (./config.ts, ./sharding/settings.ts,
 * src/runtimes/aws/config.ts). Deploy-time-only variables (stage, connect-auth mode, alarms, ...) are the
 * deploy model's own (deploy/model); docs/configuration.md has the table of the runtime ones.
 */
import type { RateLimit } from './limits/token-bucket.ts';

export type Env = Readonly<Record<string, string | undefined>>;

/** Variables for the broker's limits that both runtimes honour (docs/configuration.md). */
export const BrokerEnvironment = {
  /** Subscriptions per connection (default 100). */
  maxSubscriptions: 'TOPICSOCKET_MAX_SUBSCRIPTIONS',
  /** Messages of history kept per topic (default: DEFAULT_RETENTION; 0 turns history off). docs/history.md. */
  historyMessages: 'TOPICSOCKET_HISTORY_MESSAGES',
  /** Seconds a message stays in history (default: DEFAULT_RETENTION). docs/history.md. */
  historySeconds: 'TOPICSOCKET_HISTORY_SECONDS',
  /** join/leave fan-outs per topic and second before they coalesce into one `presence_resync` (default 10). */
  presenceEventsPerSecond: 'TOPICSOCKET_PRESENCE_EVENTS_PER_SECOND',
  /** Token claims a presence member shows, comma- or space-separated (default `sub`; empty: none). */
  presenceClaims: 'TOPICSOCKET_PRESENCE_CLAIMS',
} as const;

/** Auth and the publish rate, read by the dev server and the functions alike (docs/security.md). */
export const AuthEnvironment = {
  /** `required` or `open`. Lambda default: `required`; dev default: `required` when a key source is set. */
  mode: 'TOPICSOCKET_AUTH',
  /** HS256 shared secret (≥ 32 bytes). */
  jwtSecret: 'TOPICSOCKET_JWT_SECRET',
  /** The previous secret, still accepted during a rotation. */
  jwtPreviousSecret: 'TOPICSOCKET_JWT_SECRET_PREVIOUS',
  /** JWKS URL for RS256/ES256 (e.g. a Cognito user pool's). */
  jwksUrl: 'TOPICSOCKET_JWKS_URL',
  /** Accepted issuer(s), comma-separated. Required with a JWKS URL. */
  issuer: 'TOPICSOCKET_JWT_ISSUER',
  /** Accepted audience(s), comma-separated. */
  audience: 'TOPICSOCKET_JWT_AUDIENCE',
  /** Claim holding the audience (default `aud`; `client_id` for Cognito access tokens). */
  audienceClaim: 'TOPICSOCKET_JWT_AUDIENCE_CLAIM',
  /** Asymmetric algorithms accepted with the JWKS, comma-separated (default RS256,ES256). */
  algorithms: 'TOPICSOCKET_JWT_ALGORITHMS',
  /** Claim names holding subscribe / publish patterns (default `subscribe` / `publish`). */
  subscribeClaim: 'TOPICSOCKET_SUBSCRIBE_CLAIM',
  publishClaim: 'TOPICSOCKET_PUBLISH_CLAIM',
  /** Server default policy for tokens without those claims: patterns, space- or comma-separated. */
  defaultSubscribe: 'TOPICSOCKET_DEFAULT_SUBSCRIBE',
  defaultPublish: 'TOPICSOCKET_DEFAULT_PUBLISH',
  /** API keys of the publish API, comma-separated (each ≥ 16 characters). */
  apiKeys: 'TOPICSOCKET_API_KEYS',
  /** Publish frames per connection: `PER_SECOND/BURST` (e.g. `100/200`) or `off`. */
  publishRate: 'TOPICSOCKET_PUBLISH_RATE',
} as const;

/**
 * Where the functions' auth secrets live on AWS (src/runtimes/aws/auth-secret-source.ts): one of these, set to
 * a full ARN (IAM is granted on exactly that ARN).
 */
export const AuthSecretEnvironment = {
  /** A Secrets Manager secret ARN (`arn:aws:secretsmanager:{region}:{account}:secret:{name}-{suffix}`). */
  secretArn: 'TOPICSOCKET_AUTH_SECRET_ARN',
  /** An SSM SecureString parameter ARN (`arn:aws:ssm:{region}:{account}:parameter/{name}`). */
  parameterArn: 'TOPICSOCKET_AUTH_PARAMETER_ARN',
} as const;

/** Environment variables the Lambda functions read at cold start (validated there). */
export const LambdaEnvironment = {
  tableName: 'TOPICSOCKET_TABLE',
  /** Optional: the `@connections` endpoint, required behind a custom domain. */
  managementEndpoint: 'TOPICSOCKET_MANAGEMENT_ENDPOINT',
  /** Optional tuning and local-testing variables below; defaults live in src/runtimes/aws/config.ts. */
  /** Optional: DynamoDB endpoint override (DynamoDB Local); unset on AWS. */
  dynamodbEndpoint: 'TOPICSOCKET_DYNAMODB_ENDPOINT',
  /** Optional: `@connections` posts in flight per invocation, and sockets per endpoint (default 50). */
  sendConcurrency: 'TOPICSOCKET_SEND_CONCURRENCY',
  /** Optional: subscribers read per DynamoDB Query page (default 1000). */
  subscriberPageSize: 'TOPICSOCKET_SUBSCRIBER_PAGE_SIZE',
  /** Optional, and read by `topicsocket dev` too: the broker's limits. */
  ...BrokerEnvironment,
  /** Optional: CloudWatch metrics namespace (default "topicsocket"). */
  metricsNamespace: 'TOPICSOCKET_METRICS_NAMESPACE',
} as const;

/** Environment variables of the sharded fan-out (Lambda functions and `topicsocket dev`). */
export const FanoutEnvironment = {
  /** Optional: subscribers above which a publish is sharded (default: defaultShardingSettings.threshold). */
  threshold: 'TOPICSOCKET_FANOUT_THRESHOLD',
  /**
   * The fan-out queue's URL (SQS). Unset, or `inline` (serverless-offline, which has no SQS; or to turn
   * sharding off in a deployed stack): every publish fans out inline, as before.
   */
  queueUrl: 'TOPICSOCKET_FANOUT_QUEUE_URL',
  /** Optional: SQS endpoint override (a local stand-in in tests); unset on AWS. */
  sqsEndpoint: 'TOPICSOCKET_SQS_ENDPOINT',
} as const;

/** The value of `FanoutEnvironment.queueUrl` that turns the sharded fan-out off. */
export const InlineFanout = 'inline';

/**
 * How callers of the HTTP API's `POST /publish` are authenticated: chosen at deploy time (deploy/model reads
 * it from the deployer's environment) and given to the publish function under the same name.
 */
export const PublishAuthEnvironment = { mode: 'TOPICSOCKET_PUBLISH_AUTH' } as const;

export const PublishAuthModes = [
  /** The route has AWS_IAM authorization: API Gateway checked the SigV4 signature; the function requires it. */
  'iam',
  /** The route is unauthorized at API Gateway; the function checks API keys or bearer JWTs itself. */
  'keys',
] as const;
export type PublishAuthMode = (typeof PublishAuthModes)[number];

/** Unset means IAM, for the deploy and the function alike: nothing secret is needed, and nothing runs open. */
export const DEFAULT_PUBLISH_AUTH: PublishAuthMode = 'iam';

/**
 * Server hooks (docs/hooks.md). `TOPICSOCKET_HOOKS` names the hooks module: `topicsocket dev` loads it at
 * startup, and the deploy tools read it at synth/package time to bundle the module into the functions (the
 * deployed functions do not read it). The timeout is read by both runtimes.
 */
export const HookEnvironment = {
  module: 'TOPICSOCKET_HOOKS',
  /** Time budget of one hook call, milliseconds (default 3000). */
  timeoutMs: 'TOPICSOCKET_HOOK_TIMEOUT_MS',
} as const;

/** Every variable a runtime reads (the table of docs/configuration.md lists each; test/docs checks it). */
export const RuntimeVariables: readonly string[] = [
  ...Object.values(LambdaEnvironment),
  ...Object.values(AuthEnvironment),
  ...Object.values(AuthSecretEnvironment),
  ...Object.values(FanoutEnvironment),
  ...Object.values(PublishAuthEnvironment),
  ...Object.values(HookEnvironment),
];

export interface IntegerRange {
  min: number;
  max: number;
}

/**
 * A hook call's budget: at most 10 s, so a hook plus the store and fan-out work after it stay well inside
 * API Gateway's 29 s integration timeout (and the functions' 29 s timeout).
 */
export const HookTimeoutRange: IntegerRange = { min: 1, max: 10_000 };

/** The accepted range of each broker variable (and of its `topicsocket dev` flag). */
export const BrokerRanges = {
  /**
   * At most 500 subscriptions per connection, on every store: the DynamoDB store keeps a connection's topics
   * in its item (400 KB at most). A topic is at most 256 UTF-16 units, 768 bytes of UTF-8, plus about 10
   * bytes for the map entry's number; 16 KB are left for the rest (claims are trimmed, the token itself is
   * limited to 8 KB). (400 - 16) KB / 778 bytes = 505, rounded down to 500.
   */
  maxSubscriptions: { min: 1, max: 500 },
  historyMessages: { min: 0, max: 100_000 },
  historySeconds: { min: 1, max: 86_400 },
  presenceEventsPerSecond: { min: 1, max: 1000 },
} as const satisfies Record<Exclude<keyof typeof BrokerEnvironment, 'presenceClaims'>, IntegerRange>;

/** At most this many claims per presence member, each a plain claim name (no paths, no wildcards). */
export const PresenceClaimsLimit = { count: 16, pattern: /^[A-Za-z0-9_:.-]{1,64}$/ } as const;

/** A list of claim names (comma- or space-separated; blank: none), or a problem to report. */
export function parseClaimNames(raw: string): { value: string[] } | { problem: string } {
  const names = raw.split(/[\s,]+/).filter((name) => name !== '');
  const bad = names.find((name) => !PresenceClaimsLimit.pattern.test(name));
  if (bad !== undefined) return { problem: `must be claim names (A-Z a-z 0-9 _ : . -), got "${bad}"` };
  if (names.length > PresenceClaimsLimit.count) {
    return { problem: `must name at most ${PresenceClaimsLimit.count} claims, got ${names.length}` };
  }
  return { value: names };
}

/** The accepted range of the Lambda's tuning variables. */
export const LambdaRanges = {
  sendConcurrency: { min: 1, max: 1000 },
  subscriberPageSize: { min: 1, max: 10_000 },
} as const satisfies Partial<Record<keyof typeof LambdaEnvironment, IntegerRange>>;

/** The accepted range of the sharding threshold (TOPICSOCKET_FANOUT_THRESHOLD and `--fanout-threshold`). */
export const FanoutRanges = {
  threshold: { min: 1, max: 100_000 },
} as const satisfies Partial<Record<keyof typeof FanoutEnvironment, IntegerRange>>;

/** A whole number in `range`, or a problem (`must be ...`) to report with the variable's or flag's name. */
export function parseInteger(raw: string, range: IntegerRange): { value: number } | { problem: string } {
  const value = Number(raw.trim());
  if (raw.trim() !== '' && Number.isInteger(value) && value >= range.min && value <= range.max)
    return { value };
  return { problem: `must be an integer from ${range.min} to ${range.max}, got "${raw}"` };
}

/** `PER_SECOND/BURST` (e.g. `100/200`) or `off`, as TOPICSOCKET_PUBLISH_RATE and `--publish-rate` take it. */
export function parseRate(raw: string): { value: RateLimit | false } | { problem: string } {
  const text = raw.trim();
  if (text === 'off') return { value: false };
  const match = /^(\d+(?:\.\d+)?)\/(\d+)$/.exec(text);
  if (match && Number(match[1]) > 0 && Number(match[2]) >= 1) {
    return { value: { perSecond: Number(match[1]), burst: Number(match[2]) } };
  }
  return { problem: `must be PER_SECOND/BURST (e.g. 100/200) or off, got "${raw}"` };
}

/** One of `values`, exactly (a typo is a problem, never a silent fallback to some mode). */
export function parseOneOf<T extends string>(
  raw: string,
  values: readonly T[],
): { value: T } | { problem: string } {
  const text = raw.trim();
  if ((values as readonly string[]).includes(text)) return { value: text as T };
  return { problem: `must be one of ${values.join(', ')}, got "${raw}"` };
}

/** The publish route's auth mode; unset or blank: DEFAULT_PUBLISH_AUTH. */
export function parsePublishAuth(raw: string | undefined): { value: PublishAuthMode } | { problem: string } {
  if (raw === undefined || raw.trim() === '') return { value: DEFAULT_PUBLISH_AUTH };
  return parseOneOf(raw, PublishAuthModes);
}

/** A module path (TOPICSOCKET_HOOKS, `--hooks`): any non-blank text, resolved by whoever loads it. */
export function parseModulePath(raw: string): { value: string } | { problem: string } {
  const text = raw.trim();
  if (text !== '' && !text.includes('\0')) return { value: text };
  return { problem: `must be a module path, got "${raw}"` };
}

/** An http(s) URL, without a trailing slash. */
export function parseHttpUrl(raw: string): { value: string } | { problem: string } {
  const text = raw.trim();
  try {
    const { protocol } = new URL(text);
    if (protocol === 'https:' || protocol === 'http:') return { value: text.replace(/\/+$/, '') };
  } catch {}
  return { problem: `must be an http(s) URL, got "${raw}"` };
}

/**
 * Reads variables through the parsers above, collecting every problem (`NAME must be ...`), so one error can
 * name all the bad variables at once. An unset or blank variable reads as undefined.
 */
export class EnvReader {
  readonly problems: string[] = [];

  constructor(private readonly env: Env) {}

  text(name: string): string | undefined {
    return this.env[name]?.trim() || undefined;
  }

  integer(name: string, range: IntegerRange): number | undefined {
    return this.read(name, (raw) => parseInteger(raw, range));
  }

  rate(name: string): RateLimit | false | undefined {
    return this.read(name, parseRate);
  }

  httpUrl(name: string): string | undefined {
    return this.read(name, parseHttpUrl);
  }

  oneOf<T extends string>(name: string, values: readonly T[]): T | undefined {
    return this.read(name, (raw) => parseOneOf(raw, values));
  }

  modulePath(name: string): string | undefined {
    return this.read(name, parseModulePath);
  }

  /** Set but blank means an empty list (unlike `text`, which reads blank as unset). */
  claimNames(name: string): string[] | undefined {
    const raw = this.env[name];
    if (raw === undefined) return undefined;
    if (raw.trim() === '') return [];
    return this.read(name, parseClaimNames);
  }

  private read<T>(name: string, parse: (raw: string) => { value: T } | { problem: string }): T | undefined {
    const raw = this.text(name);
    if (raw === undefined) return undefined;
    const parsed = parse(raw);
    if ('problem' in parsed) {
      this.problems.push(`${name} ${parsed.problem}`);
      return undefined;
    }
    return parsed.value;
  }
}

/** The broker variables that are set, parsed (problems go to `reader`). */
export interface BrokerSettings {
  maxSubscriptions?: number;
  historyMessages?: number;
  historySeconds?: number;
  presenceEventsPerSecond?: number;
  presenceClaims?: readonly string[];
}

export function readBrokerSettings(reader: EnvReader): BrokerSettings {
  const settings: BrokerSettings = {};
  for (const key of Object.keys(BrokerRanges) as Array<keyof typeof BrokerRanges>) {
    const value = reader.integer(BrokerEnvironment[key], BrokerRanges[key]);
    if (value !== undefined) settings[key] = value;
  }
  const claims = reader.claimNames(BrokerEnvironment.presenceClaims);
  if (claims !== undefined) settings.presenceClaims = claims;
  return settings;
}

/** TOPICSOCKET_PUBLISH_AUTH, strictly (problems go to `reader`); unset: DEFAULT_PUBLISH_AUTH. */
export function readPublishAuth(reader: EnvReader): PublishAuthMode {
  return reader.oneOf(PublishAuthEnvironment.mode, PublishAuthModes) ?? DEFAULT_PUBLISH_AUTH;
}

/** TOPICSOCKET_FANOUT_THRESHOLD, if set (problems go to `reader`); unset: the sharding default applies. */
export function readFanoutThreshold(reader: EnvReader): number | undefined {
  return reader.integer(FanoutEnvironment.threshold, FanoutRanges.threshold);
}
