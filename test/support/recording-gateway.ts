import type { DeliveryReport, Gateway } from '../../src/core/index.ts';

/**
 * An in-process Gateway for core tests: records every frame per connection, and lets a test declare some
 * connections gone (410) or failing, the two outcomes a real gateway reports.
 */
export class RecordingGateway implements Gateway {
  readonly inbox = new Map<string, string[]>();
  readonly sends: Array<{ ids: readonly string[]; frame: string }> = [];
  readonly closed: string[] = [];
  readonly gone = new Set<string>();
  readonly failing = new Set<string>();

  async send(connectionIds: readonly string[], frame: string): Promise<DeliveryReport> {
    this.sends.push({ ids: [...connectionIds], frame });
    const report: DeliveryReport = { delivered: 0, gone: [], failed: [] };
    for (const id of connectionIds) {
      if (this.gone.has(id)) report.gone.push(id);
      else if (this.failing.has(id)) report.failed.push({ connectionId: id, error: 'injected failure' });
      else {
        const frames = this.inbox.get(id) ?? [];
        frames.push(frame);
        this.inbox.set(id, frames);
        report.delivered++;
      }
    }
    return report;
  }

  async close(connectionId: string): Promise<void> {
    this.closed.push(connectionId);
  }

  received(connectionId: string): unknown[] {
    return (this.inbox.get(connectionId) ?? []).map((frame) => JSON.parse(frame));
  }
}
