import type { ListOptions } from '../../core/index.ts';

/**
 * The page of `names` (no duplicates, any order) that follows `after`, in string order. Sorting on each
 * request is O(n log n) in the names held: fine for the console's listings of one process's memory, and it
 * needs no second index kept on every subscribe.
 */
export function pageOfNames(
  names: Iterable<string>,
  options: ListOptions,
): { names: string[]; next?: string } {
  const after = options.after;
  const sorted = [...names].filter((name) => after === undefined || name > after).sort();
  const page = sorted.slice(0, Math.max(0, options.limit));
  const last = page.at(-1);
  return sorted.length > page.length && last !== undefined ? { names: page, next: last } : { names: page };
}
