import type { SubscriberRange, SubscriberRangePage } from '../core/index.ts';

/** One page of one partition's subscribers (a topic's, or a pattern's) within a range. */
export type PartitionPageReader = (
  partition: string,
  range: SubscriberRange,
  limit: number,
) => Promise<SubscriberRangePage>;

/**
 * One page of the receivers of a publish: the subscribers of the topic and of every pattern matching it,
 * each connection once. Every partition is read in connection-id order (a DynamoDB Query's sort-key order),
 * so merging the pages is a sorted union: a connection subscribed to `orders/7` and `orders/*` appears once
 * without any set of already-delivered ids, and a key range (a shard) is cut the same way in every
 * partition. Memory: `partitions.length * limit` ids per page; nothing is kept across pages.
 *
 * Ids are complete up to the lowest point any partition stopped at (its `next`); the page holds at most
 * `limit` of them and says where it stopped, like a single partition's page.
 */
export async function mergedSubscriberPage(
  partitions: readonly string[],
  read: PartitionPageReader,
  range: SubscriberRange,
  limit: number,
): Promise<SubscriberRangePage> {
  if (partitions.length === 1) return read(partitions[0] as string, range, limit);
  const pages = await Promise.all(partitions.map((partition) => read(partition, range, limit)));
  // Below this bound every partition has been read; above it some may hold more.
  let bound: string | undefined;
  for (const page of pages) {
    if (page.next !== undefined && (bound === undefined || page.next < bound)) bound = page.next;
  }
  // true: deliverable on at least one subscription; false: only token-expired entries.
  const seen = new Map<string, boolean>();
  for (const page of pages) {
    for (const id of page.connectionIds) if (bound === undefined || id <= bound) seen.set(id, true);
    for (const id of page.tokenExpired ?? []) {
      if ((bound === undefined || id <= bound) && !seen.has(id)) seen.set(id, false);
    }
  }
  const ids = [...seen.keys()].sort();
  const taken = ids.length > limit ? ids.slice(0, limit) : ids;
  const out: SubscriberRangePage = { connectionIds: [] };
  for (const id of taken) {
    if (seen.get(id)) out.connectionIds.push(id);
    else {
      out.tokenExpired ??= [];
      out.tokenExpired.push(id);
    }
  }
  if (ids.length > limit) out.next = taken[taken.length - 1] as string;
  else if (bound !== undefined) out.next = bound;
  return out;
}
