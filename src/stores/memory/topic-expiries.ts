/**
 * One connection's subscriptions: topic -> expiresAt (epoch seconds). Most connections subscribe to one
 * topic, so the first is kept in two fields and a `Map` is made only for a second: an idle connection with one
 * subscription costs one small object instead of a `Map` and its hash table (about 400 bytes).
 */
export class TopicExpiries {
  private firstTopic: string | undefined;
  private firstExpiresAt = 0;
  private more: Map<string, number> | undefined;

  get size(): number {
    return (this.firstTopic === undefined ? 0 : 1) + (this.more?.size ?? 0);
  }

  get(topic: string): number | undefined {
    if (topic === this.firstTopic) return this.firstExpiresAt;
    return this.more?.get(topic);
  }

  /** Keeps a `Map`'s order: topics come out of `entries` in the order they were first set. */
  set(topic: string, expiresAt: number): void {
    if (topic === this.firstTopic) {
      this.firstExpiresAt = expiresAt;
    } else if (this.firstTopic === undefined && !this.more?.size) {
      this.firstTopic = topic;
      this.firstExpiresAt = expiresAt;
    } else {
      this.more ??= new Map();
      this.more.set(topic, expiresAt);
    }
  }

  /** True if the topic was there. */
  delete(topic: string): boolean {
    if (topic !== this.firstTopic) return this.more?.delete(topic) ?? false;
    this.firstTopic = undefined;
    this.firstExpiresAt = 0;
    return true;
  }

  /** A copy, so the caller may delete while it iterates. */
  entries(): Array<[topic: string, expiresAt: number]> {
    const all: Array<[string, number]> = [];
    if (this.firstTopic !== undefined) all.push([this.firstTopic, this.firstExpiresAt]);
    if (this.more) all.push(...this.more);
    return all;
  }
}
