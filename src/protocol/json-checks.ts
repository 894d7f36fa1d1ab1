import { InputLimits } from './limits.ts';

/**
 * Whether a parsed JSON value nests objects/arrays deeper than `maxDepth` (a top-level object is depth 1).
 * Iterative, so a hostile value cannot overflow the stack while it is being measured.
 */
export function exceedsJsonDepth(value: unknown, maxDepth: number = InputLimits.maxJsonDepth): boolean {
  const stack: Array<[value: unknown, depth: number]> = [[value, 1]];
  for (let next = stack.pop(); next; next = stack.pop()) {
    const [current, depth] = next;
    if (typeof current !== 'object' || current === null) continue;
    if (depth > maxDepth) return true;
    const children = Array.isArray(current) ? current : Object.values(current);
    for (const child of children) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return false;
}

/** A string holding an unpaired UTF-16 surrogate: it has no UTF-8 form, and stores would merge such keys. */
export function hasLoneSurrogate(text: string): boolean {
  return /\p{Cs}/u.test(text);
}
