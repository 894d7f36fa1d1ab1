import {
  type JoinFrame,
  type LeaveFrame,
  type PresenceResyncFrame,
  serializeFrame,
} from '../../protocol/index.ts';
import { deliverPages, type FanoutDeps } from '../fanout.ts';
import type { Logger, Metrics, Presence, PresenceMember, SubscriberPage } from '../ports/index.ts';

/** Members read per page when a `join`/`leave` goes out (one Query page on DynamoDB). */
const EVENT_PAGE = 1000;

/** How long a window's count is kept: well past its second, so late counters in that second still find it. */
const WINDOW_TTL_SECONDS = 60;

/**
 * `join` / `leave` / `presence_resync` to a topic's members, at most `perSecond` events per topic and
 * second. The count is kept in the store (Presence.countPresenceEvent), so it holds across every Lambda
 * invocation at once: a reconnect storm of N members costs N counter writes, and at most `perSecond + 1`
 * fan-outs per topic and second instead of N (docs/protocol.md, "Presence").
 */
export class PresenceEvents {
  constructor(
    private readonly presence: Presence,
    private readonly perSecond: number,
    private readonly now: () => number,
    private readonly deps: () => FanoutDeps,
    private readonly logger: Logger,
    private readonly metrics: Metrics,
  ) {}

  join(topic: string, member: PresenceMember): Promise<void> {
    const frame: JoinFrame = { type: 'join', topic, member };
    return this.emit(topic, frame);
  }

  leave(topic: string, connectionId: string): Promise<void> {
    const frame: LeaveFrame = { type: 'leave', topic, connectionId };
    return this.emit(topic, frame);
  }

  /** `leave` in every topic a removed connection was a member of. Never rejects. */
  async leaveAll(connectionId: string, topics: readonly string[]): Promise<void> {
    for (const topic of topics) await this.leave(topic, connectionId);
  }

  /** Never rejects: presence events are best effort, and never fail the frame or route that caused them. */
  private async emit(topic: string, event: JoinFrame | LeaveFrame): Promise<void> {
    try {
      const second = Math.floor(this.now() / 1000);
      const count = await this.presence.countPresenceEvent(topic, second, second + WINDOW_TTL_SECONDS);
      let frame: JoinFrame | LeaveFrame | PresenceResyncFrame;
      if (count <= this.perSecond) frame = event;
      else if (count === this.perSecond + 1) frame = { type: 'presence_resync', topic };
      else {
        this.metrics.count('presenceEventsCoalesced');
        return;
      }
      if (frame.type === 'presence_resync') this.metrics.count('presenceEventsCoalesced');
      await deliverPages(this.deps(), topic, serializeFrame(frame), this.members(topic));
      this.metrics.count('presenceEvents');
    } catch (error) {
      this.logger.warn('presence event not sent', {
        topic,
        type: event.type,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }

  private async *members(topic: string): AsyncIterable<SubscriberPage> {
    let after: string | undefined;
    do {
      const page = await this.presence.members(topic, {
        limit: EVENT_PAGE,
        ...(after === undefined ? {} : { after }),
      });
      yield page.members.map((member) => member.connectionId);
      after = page.next;
    } while (after !== undefined);
  }
}
