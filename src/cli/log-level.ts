import type { LogLevel } from '../runtimes/local/console-logger.ts';
import { UsageError } from './io.ts';

const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

/** `--log-level`, else $LOG_LEVEL, else `info`; anything else is a usage error. */
export function logLevelOption(
  flag: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): LogLevel {
  const level = flag ?? env.LOG_LEVEL?.toLowerCase() ?? 'info';
  if (!LOG_LEVELS.includes(level as LogLevel)) throw new UsageError(`unknown log level "${level}"`);
  return level as LogLevel;
}
