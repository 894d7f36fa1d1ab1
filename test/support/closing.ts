/**
 * What a fixture started, closed when the fixture closes: first the clients it tracked (all at once), then
 * the infrastructure it deferred, last started first (a server before the SDK clients it uses). Every
 * fixture in test/support builds on it.
 */
export interface Closable {
  close(): unknown;
}

export class Closer {
  private readonly tracked = new Set<Closable>();
  private readonly deferred: Array<() => unknown> = [];

  /** Closes `resource` (a client, a probe) when this closer closes, before any deferred step. */
  track<T extends Closable>(resource: T): T {
    this.tracked.add(resource);
    return resource;
  }

  /** Runs `step` when this closer closes, after the tracked clients and before earlier deferred steps. */
  defer(step: () => unknown): void {
    this.deferred.push(step);
  }

  /** Closes everything; every step runs even if one fails (the first error is thrown at the end). */
  async close(): Promise<void> {
    const clients = [...this.tracked];
    this.tracked.clear();
    const results = await Promise.allSettled(clients.map(async (client) => client.close()));
    let failure: unknown = results.find((result) => result.status === 'rejected')?.reason;
    for (const step of this.deferred.splice(0).reverse()) {
      try {
        await step();
      } catch (error) {
        failure ??= error;
      }
    }
    if (failure !== undefined) throw failure;
  }
}
