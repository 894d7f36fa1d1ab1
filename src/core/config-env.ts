/**
 * Configuration from environment variables, for both runtimes: the names the Lambda (at cold start) and
 * `topicsocket dev` (at startup) read for the broker's limits, and the parsers every variable and its
 * command-line flag go through, so a value means the same thing, and is refused the same way, everywhere.
 * Imports nothing (the deploy tools read these names). Defaults live with the limits (./config.ts).
 */
import type { RateLimit } from './limits/token-bucket.ts';

export type Env = Readonly<Record<string, string | undefined>>;

/** Variables for the broker's limits that both runtimes honour (docs/configuration.md). */
export const BrokerEnvironment = {
  /** Subscriptions per connection (default 100). */
  maxSubscriptions: 'TOPICSOCKET_MAX_SUBSCRIPTIONS',
  /** Messages of history kept per topic (default 1000; 0 turns history off). docs/history.md. */
  historyMessages: 'TOPICSOCKET_HISTORY_MESSAGES',
  /** Seconds a message stays in history (default 300). docs/history.md. */
  historySeconds: 'TOPICSOCKET_HISTORY_SECONDS',
} as const;

export interface IntegerRange {
  min: number;
  max: number;
}

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
} as const satisfies Record<keyof typeof BrokerEnvironment, IntegerRange>;

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
}

export function readBrokerSettings(reader: EnvReader): BrokerSettings {
  const settings: BrokerSettings = {};
  for (const key of Object.keys(BrokerEnvironment) as Array<keyof typeof BrokerEnvironment>) {
    const value = reader.integer(BrokerEnvironment[key], BrokerRanges[key]);
    if (value !== undefined) settings[key] = value;
  }
  return settings;
}

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

/**
 * A hook call's budget: at most 10 s, so a hook plus the store and fan-out work after it stay well inside
 * API Gateway's 29 s integration timeout (and the functions' 29 s timeout).
 */
export const HookTimeoutRange: IntegerRange = { min: 1, max: 10_000 };
