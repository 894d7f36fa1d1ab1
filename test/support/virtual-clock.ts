/**
 * A monotonic clock for tests (stores/dynamodb/pattern-marker-cache.ts's MonotonicClock) that moves only
 * when told. `auto`: a `sleep` moves the clock by its duration and resolves at once (time passes exactly as
 * long as the code under test waits, and not otherwise). `manual`: a `sleep` resolves only once `advance`
 * has moved the clock past its end, so a test can look at the code while it waits.
 */
export class VirtualClock {
  private time = 1_000_000;
  private readonly sleepers: Array<{ until: number; wake: () => void }> = [];
  private readonly waitingForSleepers: Array<{ count: number; wake: () => void }> = [];
  /** Every duration `sleep` was asked for, in order. */
  readonly sleeps: number[] = [];

  /** `onMove` hears every move of the clock (to move a wall clock along with it). */
  constructor(
    private readonly mode: 'auto' | 'manual' = 'auto',
    private readonly onMove: (ms: number) => void = () => {},
  ) {}

  now = (): number => this.time;

  sleep = (ms: number): Promise<void> => {
    this.sleeps.push(ms);
    if (this.mode === 'auto') {
      this.move(Math.max(0, ms));
      return Promise.resolve();
    }
    return new Promise((wake) => {
      this.sleepers.push({ until: this.time + ms, wake });
      this.notify();
    });
  };

  advance(ms: number): void {
    this.move(ms);
    for (const sleeper of [...this.sleepers]) {
      if (sleeper.until <= this.time) {
        this.sleepers.splice(this.sleepers.indexOf(sleeper), 1);
        sleeper.wake();
      }
    }
  }

  private move(ms: number): void {
    this.time += ms;
    this.onMove(ms);
  }

  /** Sleeps pending now (manual mode). */
  get sleeping(): number {
    return this.sleepers.length;
  }

  /** Resolves once `count` sleeps are pending (manual mode): an event to await, not a timer. */
  untilSleeping(count: number): Promise<void> {
    return new Promise((wake) => {
      this.waitingForSleepers.push({ count, wake });
      this.notify();
    });
  }

  private notify(): void {
    for (const waiter of [...this.waitingForSleepers]) {
      if (this.sleepers.length >= waiter.count) {
        this.waitingForSleepers.splice(this.waitingForSleepers.indexOf(waiter), 1);
        waiter.wake();
      }
    }
  }
}
