import type { MemberListOptions, MemberPage, Presence, PresenceMember } from '../../core/index.ts';

interface Entry {
  expiresAt: number;
  member: PresenceMember;
}

/** Most topics whose current event window is remembered; older windows are forgotten first. */
const MAX_EVENT_WINDOWS = 10_000;

/**
 * The memory store's presence: members by topic (with the data shown for them) and topics by member, so
 * joins, leaves and disconnects are key lookups, as in DynamoDB; plus the per-topic event counts.
 */
export class MemoryPresence implements Presence {
  /** topic -> connectionId -> entry */
  private readonly byTopic = new Map<string, Map<string, Entry>>();
  /** connectionId -> topics it is a member of */
  private readonly byConnection = new Map<string, Set<string>>();
  /** topic -> the count of its current event window */
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(private readonly nowSeconds: () => number) {}

  add(topic: string, member: PresenceMember, expiresAt: number): void {
    let members = this.byTopic.get(topic);
    if (!members) {
      members = new Map();
      this.byTopic.set(topic, members);
    }
    members.set(member.connectionId, { expiresAt, member });
    let topics = this.byConnection.get(member.connectionId);
    if (!topics) {
      topics = new Set();
      this.byConnection.set(member.connectionId, topics);
    }
    topics.add(topic);
  }

  isMember(topic: string, connectionId: string): boolean {
    return this.byTopic.get(topic)?.has(connectionId) ?? false;
  }

  remove(topic: string, connectionId: string): void {
    const members = this.byTopic.get(topic);
    if (members?.delete(connectionId) && members.size === 0) this.byTopic.delete(topic);
    const topics = this.byConnection.get(connectionId);
    if (topics?.delete(topic) && topics.size === 0) this.byConnection.delete(connectionId);
  }

  /** Ends every membership of the connection; returns the topics it was a member of. */
  removeAll(connectionId: string): string[] {
    const topics = [...(this.byConnection.get(connectionId) ?? [])];
    for (const topic of topics) this.remove(topic, connectionId);
    return topics;
  }

  async members(topic: string, options: MemberListOptions): Promise<MemberPage> {
    const members = this.byTopic.get(topic);
    if (!members) return { members: [] };
    const now = this.nowSeconds();
    const ids = [...members.keys()].filter((id) => options.after === undefined || id > options.after).sort();
    const page: MemberPage = { members: [] };
    for (const id of ids) {
      const entry = members.get(id) as Entry;
      if (entry.expiresAt <= now) continue;
      if (page.members.length === options.limit) {
        page.next = page.members[page.members.length - 1]?.connectionId as string;
        break;
      }
      page.members.push(structuredClone(entry.member));
    }
    return page;
  }

  async memberCount(topic: string): Promise<number> {
    const now = this.nowSeconds();
    let count = 0;
    for (const entry of this.byTopic.get(topic)?.values() ?? []) if (entry.expiresAt > now) count++;
    return count;
  }

  /** Live members in all, and the `top` topics with the most (for `GET /stats` and the console). */
  summary(top: number): { members: number; topics: Array<{ topic: string; members: number }> } {
    const now = this.nowSeconds();
    const counts: Array<{ topic: string; members: number }> = [];
    let members = 0;
    for (const [topic, entries] of this.byTopic) {
      let live = 0;
      for (const entry of entries.values()) if (entry.expiresAt > now) live++;
      if (live === 0) continue;
      members += live;
      counts.push({ topic, members: live });
    }
    counts.sort((a, b) => b.members - a.members || (a.topic < b.topic ? -1 : 1));
    return { members, topics: counts.slice(0, top) };
  }

  async countPresenceEvent(topic: string, windowStart: number): Promise<number> {
    const window = this.windows.get(topic);
    if (window && window.start === windowStart) return ++window.count;
    this.windows.delete(topic);
    if (this.windows.size >= MAX_EVENT_WINDOWS) {
      // Map order is insertion order: the first entries are the topics least recently given a new window.
      const oldest = this.windows.keys().next().value;
      if (oldest !== undefined) this.windows.delete(oldest);
    }
    this.windows.set(topic, { start: windowStart, count: 1 });
    return 1;
  }
}
