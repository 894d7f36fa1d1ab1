import type { LogFields, Logger } from '../ports/logger.ts';

export const REDACTED = '[redacted]';

/** Field names whose values are secrets wherever they appear (headers, query strings, config). */
const SECRET_KEY =
  /authorization|token|secret|password|api[-_]?key|cookie|sec-websocket-protocol|credential|signature/i;
/** A compact JWS/JWT anywhere in a string: three base64url parts, the first a JSON header (`eyJ`). */
const JWT = /eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g;
/** `token=...`, `api_key=...` etc. inside URLs and query strings. */
const SECRET_PARAM = /([?&;](?:access_token|id_token|token|api[-_]?key|apikey|key|secret)=)[^&#\s]*/gi;
/** `Bearer xyz` inside free text (e.g. an error message quoting a header). */
const BEARER = /(Bearer\s+)\S+/gi;
const MAX_DEPTH = 8;

/** Redacts secrets from a string: JWTs, bearer tokens, secret query parameters. */
export function redactString(value: string): string {
  return value.replace(JWT, REDACTED).replace(SECRET_PARAM, `$1${REDACTED}`).replace(BEARER, `$1${REDACTED}`);
}

/**
 * A copy of `value` with secrets replaced: values under secret-looking keys entirely, and JWTs, bearer
 * tokens and `?token=` parameters inside every other string. Errors become `Name: message` strings.
 */
export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactString(value);
  if (value instanceof Error) return redactString(`${value.name}: ${value.message}`);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return '[too deep]';
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1));
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    copy[key] =
      SECRET_KEY.test(key) && item !== undefined && item !== '' ? REDACTED : redact(item, depth + 1);
  }
  return copy;
}

/** Wraps a Logger so nothing it writes can carry a token or an API key. */
export function redactingLogger(inner: Logger): Logger {
  const wrap =
    (level: keyof Logger) =>
    (message: string, fields?: LogFields): void => {
      const safeFields = fields === undefined ? undefined : (redact(fields) as LogFields);
      inner[level](redactString(message), safeFields);
    };
  return { debug: wrap('debug'), info: wrap('info'), warn: wrap('warn'), error: wrap('error') };
}
