/**
 * Reading one key range of a topic's subscribers, a page at a time: what lets the shards of a big topic be
 * read in parallel (DynamoDB: a Query on the topic's partition with a sort-key condition). Connection ids
 * compare as strings (code-unit order, which is DynamoDB's byte order for the ASCII ids API Gateway issues).
 * Implemented by both bundled stores, next to Store.
 */
export interface SubscriberRange {
  /** Exclusive lower bound: only ids > after. */
  after?: string;
  /** Inclusive upper bound: only ids <= until. */
  until?: string;
}

export interface SubscriberRangePage {
  /** Live subscribers in the range, ascending, at most `limit` (expired ones filtered out). */
  connectionIds: string[];
  /**
   * Subscribers in the range whose token expired (left out of `connectionIds`): the caller ends them with
   * `endTokenExpired` (core/token-expiry.ts), as the inline fan-out does with `Store.subscribers` pages.
   */
  tokenExpired?: string[];
  /** The last id this page looked at (live or not): read on after it. Absent: the range is exhausted. */
  next?: string;
}

export interface SubscriberRanges {
  subscriberPage(topic: string, range: SubscriberRange, limit: number): Promise<SubscriberRangePage>;
}

export function hasSubscriberRanges(store: object): store is SubscriberRanges {
  return typeof (store as Partial<SubscriberRanges>).subscriberPage === 'function';
}
