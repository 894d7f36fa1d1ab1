import type { DeliveryReport, Gateway, SendOptions } from '../../src/core/index.ts';

/**
 * A Gateway for fan-out tests: counts every delivery per connection and offset (so a test sees losses and
 * duplicates), and injects what a real `@connections` path does to a fan-out: latency per post with a
 * bounded number in flight, a crash after some posts (the worker dies mid-shard), and throttling that
 * defers receivers past the send's deadline (as the throttle-aware gateway reports them).
 */
export class LedgerGateway implements Gateway {
  /** connectionId -> offset -> deliveries */
  readonly ledger = new Map<string, Map<number, number>>();
  posts = 0;
  /** Latency of one post, milliseconds (default 0), with `inFlight` posts at once (default 50). */
  postLatencyMs = 0;
  inFlight = 50;
  /** Throw from `send` once, after this many more posts have been delivered (a worker dying mid-shard). */
  crashAfter: number | undefined;
  /** Posts allowed per send call before the rest are deferred (throttled past the budget); undefined: all. */
  throttleAfter: number | undefined;
  /** Throttled sends left; each defers the receivers past `throttleAfter`. */
  throttledSends = 0;

  async send(
    connectionIds: readonly string[],
    frame: string,
    options: SendOptions = {},
  ): Promise<DeliveryReport> {
    const offset = (JSON.parse(frame) as { offset?: number }).offset ?? 0;
    const report: DeliveryReport = { delivered: 0, gone: [], failed: [], deferred: [] };
    let allowed = connectionIds.length;
    if (this.throttledSends > 0 && this.throttleAfter !== undefined) {
      this.throttledSends--;
      allowed = Math.min(allowed, this.throttleAfter);
    }
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < connectionIds.length) {
        const index = next++;
        const id = connectionIds[index] as string;
        const pastDeadline = options.deadline !== undefined && Date.now() >= options.deadline;
        if (index >= allowed || pastDeadline) {
          report.deferred?.push(id);
          continue;
        }
        if (this.postLatencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.postLatencyMs));
        if (this.crashAfter !== undefined) {
          if (this.crashAfter <= 0) {
            this.crashAfter = undefined;
            throw new Error('injected crash: the worker died mid-shard');
          }
          this.crashAfter--;
        }
        this.record(id, offset);
        report.delivered++;
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.inFlight, connectionIds.length) }, lane));
    return report;
  }

  async close(): Promise<void> {}

  private record(id: string, offset: number): void {
    this.posts++;
    let offsets = this.ledger.get(id);
    if (!offsets) {
      offsets = new Map();
      this.ledger.set(id, offsets);
    }
    offsets.set(offset, (offsets.get(offset) ?? 0) + 1);
  }

  /** Of `ids`, those that never got `offset`, and those that got it more than once. */
  tally(ids: readonly string[], offset: number): { lost: string[]; duplicated: number; delivered: number } {
    const lost: string[] = [];
    let duplicated = 0;
    let delivered = 0;
    for (const id of ids) {
      const count = this.ledger.get(id)?.get(offset) ?? 0;
      if (count === 0) lost.push(id);
      else delivered++;
      if (count > 1) duplicated++;
    }
    return { lost, duplicated, delivered };
  }
}
