import type { LatencySummary } from '../ipc.ts';

/**
 * Counts deliveries per publish so a run can prove it lost or duplicated nothing: every publish records how
 * many deliveries it should cause, every delivery increments its publish's count.
 */
export class DeliveryTally {
  private expectedBySeq = new Uint16Array(1 << 16);
  private receivedBySeq = new Uint16Array(1 << 16);
  /** Deliveries expected by all publishes so far (counted subscribers only). */
  expected = 0;
  received = 0;
  outOfOrder = 0;
  published = 0;

  publish(seq: number, subscribers: number): void {
    this.ensure(seq);
    this.expectedBySeq[seq] = subscribers;
    this.expected += subscribers;
    this.published++;
  }

  deliver(seq: number): void {
    this.ensure(seq);
    this.receivedBySeq[seq]!++;
    this.received++;
  }

  /** Deliveries not yet received; lost ones included until the run ends. */
  get outstanding(): number {
    return this.expected - this.received;
  }

  verdict(): { lost: number; duplicated: number } {
    let lost = 0;
    let duplicated = 0;
    for (let seq = 0; seq < this.published; seq++) {
      const difference = this.receivedBySeq[seq]! - this.expectedBySeq[seq]!;
      if (difference < 0) lost -= difference;
      else duplicated += difference;
    }
    return { lost, duplicated };
  }

  private ensure(seq: number): void {
    if (seq < this.expectedBySeq.length) return;
    let size = this.expectedBySeq.length;
    while (size <= seq) size *= 2;
    const expected = new Uint16Array(size);
    expected.set(this.expectedBySeq);
    this.expectedBySeq = expected;
    const received = new Uint16Array(size);
    received.set(this.receivedBySeq);
    this.receivedBySeq = received;
  }
}

/** Publish -> receive latencies in µs; keeps every sample up to a cap, then every n-th. */
export class LatencyRecorder {
  private samples = new Float64Array(1 << 20);
  private count = 0;
  private seen = 0;
  private stride = 1;
  private max = 0;

  record(micros: number): void {
    this.seen++;
    if (micros > this.max) this.max = micros;
    if (this.seen % this.stride !== 0) return;
    if (this.count === this.samples.length) {
      // Keep every other sample and halve the rate from now on: memory stays bounded on long runs.
      for (let i = 0; i < this.count / 2; i++) this.samples[i] = this.samples[i * 2]!;
      this.count /= 2;
      this.stride *= 2;
    }
    this.samples[this.count++] = micros;
  }

  summary(): LatencySummary {
    const sorted = this.samples.slice(0, this.count).sort();
    const at = (q: number) =>
      sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! : 0;
    return {
      samples: this.seen,
      p50Ms: at(0.5) / 1000,
      p99Ms: at(0.99) / 1000,
      maxMs: this.max / 1000,
    };
  }
}
