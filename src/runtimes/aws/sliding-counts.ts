const SLOT_MS = 100;
const SLOTS = 10;

/**
 * Event counts over the last second, in 100 ms slots, for a few kinds of event ("lanes"): what the
 * gateway's throttle control knows of the recent past without keeping a timestamp per post.
 */
export class SlidingCounts {
  private readonly slots: number[][];
  private slotStart: number;
  private slotIndex = 0;

  constructor(
    lanes: number,
    private readonly now: () => number,
  ) {
    this.slots = Array.from({ length: lanes }, () => new Array<number>(SLOTS).fill(0));
    this.slotStart = now();
  }

  /** The window's length in ms. */
  static readonly windowMs = SLOT_MS * SLOTS;

  add(lane = 0, count = 1): void {
    this.advance();
    const slots = this.slots[lane] as number[];
    slots[this.slotIndex] = (slots[this.slotIndex] ?? 0) + count;
  }

  /** Events of `lane` in the last second (the current, partial slot included). */
  sum(lane = 0): number {
    this.advance();
    let total = 0;
    for (const count of this.slots[lane] as number[]) total += count;
    return total;
  }

  private advance(): void {
    const now = this.now();
    if (now - this.slotStart > SlidingCounts.windowMs) {
      for (const slots of this.slots) slots.fill(0);
      this.slotStart = now;
      return;
    }
    while (now - this.slotStart >= SLOT_MS) {
      this.slotStart += SLOT_MS;
      this.slotIndex = (this.slotIndex + 1) % SLOTS;
      for (const slots of this.slots) slots[this.slotIndex] = 0;
    }
  }
}
