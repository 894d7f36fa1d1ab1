/**
 * Bounds of the local console's admin listings (docs/console.md): every answer is one page of at most
 * these sizes, whatever the caller asks for, so no request can make the server build an unbounded response.
 */
export const AdminLimits = {
  /** Topics or connections per page when the caller gives no `limit`, and the most it may ask for. */
  defaultPage: 50,
  maxPage: 200,
  /** Retained messages per history page, by default and at most. */
  defaultHistoryPage: 50,
  maxHistoryPage: 100,
  /**
   * A history page stops growing past this many bytes of message data (it always holds at least one
   * message): 100 messages of up to 128 KB each would otherwise be 12.8 MB.
   */
  maxHistoryBytes: 1024 * 1024,
} as const;
