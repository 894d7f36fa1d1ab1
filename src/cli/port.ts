import { DEFAULT_PORT } from '../runtimes/local/defaults.ts';
import { UsageError } from './io.ts';

/**
 * The port from `--port` (`flag`), else $PORT, else the default; a bad value is a usage error that names
 * where it came from, so a stray `PORT=abc` in the shell is not mistaken for a bad flag.
 */
export function resolvePort(
  flag: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): number {
  const [value, source] =
    flag !== undefined
      ? [flag, '--port']
      : env.PORT !== undefined
        ? [env.PORT, '$PORT']
        : [String(DEFAULT_PORT), ''];
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535 || value.trim() === '') {
    throw new UsageError(
      `invalid port "${value}"${source ? ` from ${source}` : ''}: a number from 0 to 65535`,
    );
  }
  return port;
}
