import {
  InputLimits,
  type PresenceFrame,
  type PresenceRequestFrame,
  utf8Length,
} from '../../protocol/index.ts';
import type { WebSocketResult } from '../events.ts';
import type { Presence } from '../ports/index.ts';
import type { BrokerContext } from './context.ts';
import { reply, withId } from './replies.ts';

/**
 * Answers `presence` frames (once allowed and within their rate): one page of the topic's members, capped,
 * with no ghost. The store already leaves out expired members; a connection whose `$disconnect` was missed
 * is still stored, so the page's members are checked against the gateway, and those found gone are removed
 * (their `leave` goes out through the removal hook) and not listed.
 */
export class PresenceReader {
  constructor(
    private readonly context: BrokerContext,
    private readonly presence: Presence,
  ) {}

  async answer(frame: PresenceRequestFrame): Promise<WebSocketResult> {
    const limit = Math.min(frame.limit ?? InputLimits.maxPresencePage, InputLimits.maxPresencePage);
    const page = await this.presence.members(frame.topic, {
      limit,
      ...(frame.after === undefined ? {} : { after: frame.after }),
    });
    let members = page.members;
    const findGone = this.context.gateway.findGone?.bind(this.context.gateway);
    if (findGone && members.length > 0) {
      const gone = new Set(await findGone(members.map((member) => member.connectionId)));
      if (gone.size > 0) {
        this.context.metrics.count('presenceGhosts', gone.size);
        members = members.filter((member) => !gone.has(member.connectionId));
        const deps = this.context.fanoutDeps();
        for (const connectionId of gone) {
          const memberOf = await this.context.store.removeConnection(connectionId);
          if (memberOf?.length) await deps.onRemoved?.(connectionId, memberOf);
        }
      }
    }
    return reply(withId(this.fitted(frame.topic, members, page.next, frame), frame.id));
  }

  /**
   * The answer, no larger than one message: members whose `user` data is large are left for the next page
   * (`next` then points after the last one listed), never cut off silently.
   */
  private fitted(
    topic: string,
    members: PresenceFrame['members'],
    next: string | undefined,
    frame: PresenceRequestFrame,
  ): PresenceFrame {
    const answer: PresenceFrame = { type: 'presence', topic, members: [] };
    // Room for the shell, the id and a `next` cursor.
    let size = utf8Length(JSON.stringify(withId({ ...answer, next: 'x'.repeat(256) }, frame.id)));
    for (const member of members) {
      const added = utf8Length(JSON.stringify(member)) + 1;
      if (size + added > this.context.limits.maxMessageBytes && answer.members.length > 0) {
        answer.next = answer.members[answer.members.length - 1]?.connectionId as string;
        return answer;
      }
      size += added;
      answer.members.push(member);
    }
    if (next !== undefined) answer.next = next;
    return answer;
  }
}
