import type { JsonValue } from '../../protocol/index.ts';

/** A presence member of a topic: one connection subscribed to it with `presence: true`. */
export interface PresenceMember {
  connectionId: string;
  /** The `user` data `onConnect` attached to the connection (its record's `user`), when there is any. */
  user?: JsonValue;
  /** The token claims the server shows in presence (`presence.claims`, e.g. `sub`), those the token has. */
  claims?: { [key: string]: JsonValue };
}

export interface MemberListOptions {
  /** Most members returned; the caller caps it. */
  limit: number;
  /** The `next` of the previous page (a connection id): members after it. */
  after?: string;
}

export interface MemberPage {
  /** Live members, ascending by connection id. */
  members: PresenceMember[];
  /** Where the next page starts; absent on the last page. */
  next?: string;
}

/**
 * Presence: who is in a topic. Membership is written with the subscription (`SubscribeOptions.presence`) and
 * removed with it, by unsubscribe, disconnect and 410 cleanup; every read filters expired members (TTL). A
 * member whose connection vanished without any of those (a missed `$disconnect`) is still stored until its
 * TTL: the broker checks listed members against the gateway before answering (docs/protocol.md, "Presence").
 * Implemented by both bundled stores; the same contract suite runs against each.
 */
export interface Presence {
  /** One page of the topic's live members: one key-range read, no scan. */
  members(topic: string, options: MemberListOptions): Promise<MemberPage>;
  /** How many live members the topic has (DynamoDB: a COUNT Query over the topic's member partition). */
  memberCount(topic: string): Promise<number>;
  /**
   * Counts one `join`/`leave` event of `topic` in the window that starts at `windowStart` (epoch seconds) and
   * returns the count so far, this one included: shared by every invocation, so the broker can cap events
   * per topic and second across Lambdas. The count lives until `expiresAt` (epoch seconds).
   */
  countPresenceEvent(topic: string, windowStart: number, expiresAt: number): Promise<number>;
}
