/**
 * Counts open connections per key (source IP) against a ceiling. `tryAcquire` before accepting,
 * `release` exactly once per successful acquire when the connection ends or is refused later.
 */
export class ConnectionCounter {
  private readonly counts = new Map<string, number>();

  /** `max` of 0 or Infinity means no limit. */
  constructor(private readonly max: number) {}

  tryAcquire(key: string): boolean {
    const current = this.counts.get(key) ?? 0;
    if (this.max > 0 && current >= this.max) return false;
    this.counts.set(key, current + 1);
    return true;
  }

  release(key: string): void {
    const current = this.counts.get(key) ?? 0;
    if (current <= 1) this.counts.delete(key);
    else this.counts.set(key, current - 1);
  }

  count(key: string): number {
    return this.counts.get(key) ?? 0;
  }
}
