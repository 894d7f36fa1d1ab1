import { InputLimits, type JsonValue } from '../../protocol/index.ts';

/**
 * Why `value` is not a JSON value a frame can carry as it is (undefined when it is): hooks are user code, and
 * `JSON.stringify` would silently drop an `undefined` field, turn `NaN` into `null` or call a class's
 * `toJSON`, so what subscribers receive would differ from what the hook returned. Iterative and bounded in
 * depth, like the protocol's own checks.
 */
export function jsonProblem(
  value: unknown,
  maxDepth: number = InputLimits.maxJsonDepth - 1,
): string | undefined {
  const stack: Array<[value: unknown, path: string, depth: number]> = [[value, '', 1]];
  for (let next = stack.pop(); next; next = stack.pop()) {
    const [current, path, depth] = next;
    const at = path || 'the value';
    switch (typeof current) {
      case 'string':
      case 'boolean':
        continue;
      case 'number':
        if (!Number.isFinite(current)) return `${at} is ${current}, not a JSON number`;
        continue;
      case 'object':
        break;
      default:
        return `${at} is ${typeof current === 'undefined' ? 'undefined' : `a ${typeof current}`}, not JSON`;
    }
    if (current === null) continue;
    if (depth > maxDepth) return `${at} nests deeper than ${maxDepth} levels`;
    if (Array.isArray(current)) {
      current.forEach((child, index) => {
        stack.push([child, `${path}[${index}]`, depth + 1]);
      });
      continue;
    }
    const prototype = Object.getPrototypeOf(current) as unknown;
    if (prototype !== Object.prototype && prototype !== null) {
      return `${at} is a ${(current as object).constructor?.name ?? 'class instance'}, not a plain object`;
    }
    for (const [key, child] of Object.entries(current)) stack.push([child, `${path}.${key}`, depth + 1]);
  }
  return undefined;
}

export function isJson(value: unknown): value is JsonValue {
  return jsonProblem(value) === undefined;
}
