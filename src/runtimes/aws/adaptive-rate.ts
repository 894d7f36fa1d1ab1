/**
 * The rate at which one gateway starts `@connections` posts, adapted to the account's throttle by AIMD
 * (additive increase, multiplicative decrease), as TCP adapts to a shared link. Every worker of the account
 * draws on ONE token bucket at API Gateway (10,000/s, burst 5,000 by default) and none can see the others,
 * so each backs off when the account answers 429 and probes upwards again while posts succeed: together
 * they settle near the account's rate instead of retrying in lockstep and losing receivers.
 *
 * - Unthrottled, the rate is unbounded: the gateway's in-flight bound is the only limit.
 * - On an account throttle (a 429 the gateway attributes to the account, not to one receiver), the rate
 *   drops to `decrease` × what was actually achieved over the last second, at most once per `cooldownMs`
 *   (the answers of one burst are one congestion signal, not many).
 * - Afterwards it grows additively, by a quarter of the rate it was cut to per second (or a fixed
 *   `increasePerSecond`): the probe is sized to this gateway's share of the account, whether the account
 *   allows 10,000/s or 100/s, so a few workers do not overshoot the bucket by many times at once.
 *
 * Posts are paced by a token bucket at the current rate (bucket size: a tenth of a second's worth, so a
 * decrease takes effect at once).
 */
export interface AdaptiveRateOptions {
  /** Multiplicative decrease on an account throttle (default 0.7). */
  decrease?: number;
  /** Additive increase, posts/s gained per second (default: a quarter of the rate after the last cut). */
  increasePerSecond?: number;
  /** Never paced below this many posts/s (default 20). */
  minPerSecond?: number;
  /** Decreases at most once per this window, ms (default 200). */
  cooldownMs?: number;
  now?: () => number;
}

import { SlidingCounts } from './sliding-counts.ts';

export class AdaptiveRate {
  private readonly decrease: number;
  private readonly fixedIncrease: number | undefined;
  private increasePerSecond = 0;
  private readonly minPerSecond: number;
  private readonly cooldownMs: number;
  private readonly now: () => number;
  /** Posts/s allowed; Infinity until the first throttle. */
  private rate = Number.POSITIVE_INFINITY;
  private tokens = 0;
  private refilledAt: number;
  private lastDecreaseAt = Number.NEGATIVE_INFINITY;
  /** Accepted posts over the last second: the achieved rate. */
  private readonly acceptedCounts: SlidingCounts;
  private firstAcceptedAt: number | undefined;
  /** How many times the rate was cut (exposed for metrics and tests). */
  decreases = 0;

  constructor(options: AdaptiveRateOptions = {}) {
    this.decrease = options.decrease ?? 0.7;
    this.fixedIncrease = options.increasePerSecond;
    this.minPerSecond = options.minPerSecond ?? 20;
    this.cooldownMs = options.cooldownMs ?? 200;
    this.now = options.now ?? Date.now;
    this.refilledAt = this.now();
    this.acceptedCounts = new SlidingCounts(1, this.now);
  }

  /** Current pace in posts per second (Infinity: not paced). */
  get perSecond(): number {
    return this.rate;
  }

  /** Milliseconds to wait before the next post may start; 0 takes a token now. */
  reserve(): number {
    if (this.rate === Number.POSITIVE_INFINITY) return 0;
    this.refill();
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil(((1 - this.tokens) / this.rate) * 1000));
  }

  /** A post was accepted by the account (delivered, or refused for a reason of its receiver). */
  accepted(): void {
    this.firstAcceptedAt ??= this.now();
    this.acceptedCounts.add();
  }

  /** The account refused a post (429 across receivers). Returns true when this cut the rate. */
  throttled(): boolean {
    const now = this.now();
    if (now - this.lastDecreaseAt < this.cooldownMs) return false;
    this.refill();
    const achieved = this.achievedPerSecond();
    this.rate = Math.max(this.minPerSecond, Math.min(this.rate, achieved) * this.decrease);
    this.increasePerSecond = this.fixedIncrease ?? Math.max(this.minPerSecond, this.rate / 4);
    this.tokens = 0;
    this.lastDecreaseAt = now;
    this.decreases++;
    return true;
  }

  /** Posts/s accepted over the last second (or since the first post, when that is more recent). */
  achievedPerSecond(): number {
    const since = this.firstAcceptedAt === undefined ? 0 : this.now() - this.firstAcceptedAt;
    const windowMs = Math.min(SlidingCounts.windowMs, Math.max(100, since));
    return (this.acceptedCounts.sum() * 1000) / windowMs;
  }

  private refill(): void {
    const now = this.now();
    const elapsedSeconds = Math.max(0, now - this.refilledAt) / 1000;
    this.refilledAt = now;
    if (this.rate === Number.POSITIVE_INFINITY) return;
    this.rate += this.increasePerSecond * elapsedSeconds;
    this.tokens = Math.min(Math.max(1, this.rate / 10), this.tokens + elapsedSeconds * this.rate);
  }
}
