import { MemoryStore } from '../../../src/stores/index.ts';

/** A MemoryStore that lets a test await the removal of a connection (what `$disconnect` does). */
export class ObservedStore extends MemoryStore {
  private readonly removed = new Set<string>();
  private readonly waiters = new Map<string, Array<() => void>>();

  override async removeConnection(connectionId: string): Promise<readonly string[]> {
    const memberOf = await super.removeConnection(connectionId);
    this.removed.add(connectionId);
    for (const resolve of this.waiters.get(connectionId) ?? []) resolve();
    this.waiters.delete(connectionId);
    return memberOf;
  }

  removal(connectionId: string): Promise<void> {
    if (this.removed.has(connectionId)) return Promise.resolve();
    return new Promise((resolve) => {
      const list = this.waiters.get(connectionId) ?? [];
      list.push(resolve);
      this.waiters.set(connectionId, list);
    });
  }

  /** Connection ids, in connect order, as recorded by `putConnection`. */
  readonly connected: string[] = [];

  override async putConnection(...args: Parameters<MemoryStore['putConnection']>): Promise<void> {
    this.connected.push(args[0].connectionId);
    await super.putConnection(...args);
  }
}
