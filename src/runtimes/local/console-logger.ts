import type { LogFields, Logger } from '../../core/index.ts';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Fields that may carry message contents or credentials: only ever written at debug level. */
const SENSITIVE_FIELDS = new Set([
  'body',
  'data',
  'frame',
  'message_body',
  'token',
  'authorization',
  'headers',
]);

const COLORS: Record<LogLevel, string> = { debug: '\x1b[2m', info: '', warn: '\x1b[33m', error: '\x1b[31m' };
const RESET = '\x1b[0m';

export interface ConsoleLoggerOptions {
  /** The `service` field (Powertools' POWERTOOLS_SERVICE_NAME). */
  service?: string;
  /** Lowest level written; defaults to LOG_LEVEL / POWERTOOLS_LOG_LEVEL, then `info`. */
  level?: LogLevel;
  /** Where lines go; stdout by default. */
  write?: (line: string) => void;
  /** Colour lines by level; on by default when stdout is a terminal. */
  color?: boolean;
}

/**
 * The local runtime's Logger: one JSON object per line with the keys Powertools Logger writes on Lambda
 * (level, message, timestamp, service, then the fields), so local and CloudWatch logs read alike.
 */
export class ConsoleLogger implements Logger {
  private readonly service: string;
  private readonly minimum: number;
  private readonly write: (line: string) => void;
  private readonly color: boolean;

  constructor(options: ConsoleLoggerOptions = {}) {
    this.service = options.service ?? process.env.POWERTOOLS_SERVICE_NAME ?? 'topicsocket';
    this.minimum = RANK[options.level ?? levelFromEnv() ?? 'info'];
    this.write = options.write ?? ((line) => process.stdout.write(`${line}\n`));
    this.color = options.color ?? (options.write === undefined && process.stdout.isTTY === true);
  }

  debug(message: string, fields?: LogFields): void {
    this.log('debug', message, fields);
  }

  info(message: string, fields?: LogFields): void {
    this.log('info', message, fields);
  }

  warn(message: string, fields?: LogFields): void {
    this.log('warn', message, fields);
  }

  error(message: string, fields?: LogFields): void {
    this.log('error', message, fields);
  }

  private log(level: LogLevel, message: string, fields: LogFields | undefined): void {
    if (RANK[level] < this.minimum) return;
    const entry: Record<string, unknown> = {
      level: level.toUpperCase(),
      message,
      timestamp: new Date().toISOString(),
      service: this.service,
    };
    if (fields) {
      for (const [key, value] of Object.entries(fields)) {
        if (level !== 'debug' && SENSITIVE_FIELDS.has(key.toLowerCase())) continue;
        entry[key] = value instanceof Error ? { name: value.name, message: value.message } : value;
      }
    }
    let line: string;
    try {
      line = JSON.stringify(entry);
    } catch {
      line = JSON.stringify({
        level: entry.level,
        message,
        timestamp: entry.timestamp,
        service: this.service,
      });
    }
    this.write(this.color && COLORS[level] ? `${COLORS[level]}${line}${RESET}` : line);
  }
}

function levelFromEnv(): LogLevel | undefined {
  const value = (process.env.POWERTOOLS_LOG_LEVEL ?? process.env.LOG_LEVEL)?.toLowerCase();
  return value !== undefined && Object.hasOwn(RANK, value) ? (value as LogLevel) : undefined;
}
