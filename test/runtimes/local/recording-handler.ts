import type { WebSocketEvent, WebSocketResult } from '../../../src/core/index.ts';
import type { WebSocketHandler } from '../../../src/runtimes/local/index.ts';

type Responder = (
  event: WebSocketEvent,
) => Promise<WebSocketResult | undefined> | WebSocketResult | undefined;

/**
 * A Lambda-shaped handler for emulator tests: records every event and lets a test await the next event of a
 * route, while a responder decides the answer.
 */
export class RecordingHandler {
  readonly events: WebSocketEvent[] = [];
  private readonly waiters: Array<{ route: string; resolve: (event: WebSocketEvent) => void }> = [];

  constructor(private readonly respond: Responder = () => ({ statusCode: 200 })) {}

  readonly handler: WebSocketHandler = async (event) => {
    this.events.push(event);
    const index = this.waiters.findIndex((waiter) => waiter.route === event.requestContext.routeKey);
    if (index >= 0) this.waiters.splice(index, 1)[0]?.resolve(event);
    return this.respond(event);
  };

  /** Events of a route seen so far. */
  of(route: string): WebSocketEvent[] {
    return this.events.filter((event) => event.requestContext.routeKey === route);
  }

  /** The next event of `route` (one already recorded for `connectionId`, if given, counts). */
  next(route: string, connectionId?: string): Promise<WebSocketEvent> {
    if (connectionId !== undefined) {
      const seen = this.events.find(
        (event) =>
          event.requestContext.routeKey === route && event.requestContext.connectionId === connectionId,
      );
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve) => {
        const wait = (event: WebSocketEvent) => {
          if (event.requestContext.connectionId === connectionId) resolve(event);
          else this.waiters.push({ route, resolve: wait });
        };
        this.waiters.push({ route, resolve: wait });
      });
    }
    return new Promise((resolve) => this.waiters.push({ route, resolve }));
  }
}
