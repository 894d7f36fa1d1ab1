/**
 * A minimal YAML writer for plain data (objects, arrays, strings, numbers, booleans): enough for
 * serverless.yml, with no dependency. Strings that could be read as anything but the same string are
 * quoted: as JSON strings (which YAML reads identically) or, when that is shorter, YAML single quotes.
 */
export type YamlValue = string | number | boolean | null | YamlValue[] | { [key: string]: YamlValue };

const plain = /^[A-Za-z_$/.][\w$./:@-]*$/;
const reserved = /^(true|false|yes|no|on|off|null|y|n|~)$/i;

function scalar(value: string | number | boolean | null): string {
  if (typeof value !== 'string') return JSON.stringify(value);
  const safe = plain.test(value) && !reserved.test(value) && !value.endsWith(':');
  if (safe) return value;
  // Like the repo's formatter: single quotes when the text holds more " than ' and nothing to escape.
  const doubles = value.split('"').length;
  const singles = value.split("'").length;
  // Backslashes and control characters need JSON's escapes; single quotes cannot express them.
  const escapable = JSON.stringify(value).slice(1, -1).replaceAll('\\"', '"') !== value;
  return doubles > singles && !escapable ? `'${value.replaceAll("'", "''")}'` : JSON.stringify(value);
}

function isEmptyCollection(value: YamlValue): boolean {
  return typeof value === 'object' && value !== null && Object.keys(value).length === 0;
}

function lines(value: YamlValue, indent: string): string[] {
  if (Array.isArray(value)) {
    return value.flatMap((item) => {
      if (typeof item === 'object' && item !== null && !isEmptyCollection(item)) {
        const [first = '', ...rest] = lines(item, `${indent}  `);
        return [`${indent}- ${first.trimStart()}`, ...rest];
      }
      return [`${indent}- ${inline(item)}`];
    });
  }
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([key, item]) => {
      if (typeof item === 'object' && item !== null && !isEmptyCollection(item)) {
        return [`${indent}${scalar(key)}:`, ...lines(item, `${indent}  `)];
      }
      return [`${indent}${scalar(key)}: ${inline(item)}`];
    });
  }
  return [`${indent}${scalar(value)}`];
}

function inline(value: YamlValue): string {
  if (Array.isArray(value)) return '[]';
  if (typeof value === 'object' && value !== null) return '{}';
  return scalar(value);
}

export function toYaml(value: YamlValue): string {
  return `${lines(value, '').join('\n')}\n`;
}
