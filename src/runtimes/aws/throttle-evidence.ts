/**
 * Tells an account throttle from one receiver's full buffer. API Gateway answers both with 429
 * `LimitExceededException` (field notes §1), so the answer alone says nothing; the pattern does:
 *
 * - the account's token bucket refuses posts to whichever connections happen to be sent to, so while it
 *   throttles, other connections are refused too;
 * - a client that stops reading fills its own buffer, and only posts to that connection are refused while
 *   posts to the others succeed.
 *
 * So a 429 is the account's when a real share of the other posts of the last second were refused too, the
 * receiver's own when it was refused again while the others were (nearly) all accepted, and unknown when
 * there is no evidence either way (too few other posts, or its first refusal).
 */
import { SlidingCounts } from './sliding-counts.ts';

export type ThrottleCause = 'account' | 'receiver' | 'unknown';

export interface ThrottleEvidenceOptions {
  /** Share of other posts refused above which a 429 is the account's (default 0.02). */
  accountShare?: number;
  /** Other posts needed in the window before a receiver can be blamed (default 3). */
  minOtherPosts?: number;
  now?: () => number;
}

const POSTS = 0;
const REFUSALS = 1;

export class ThrottleEvidence {
  private readonly accountShare: number;
  private readonly minOtherPosts: number;
  private readonly counts: SlidingCounts;

  constructor(options: ThrottleEvidenceOptions = {}) {
    this.accountShare = options.accountShare ?? 0.02;
    this.minOtherPosts = options.minOtherPosts ?? 3;
    this.counts = new SlidingCounts(2, options.now ?? Date.now);
  }

  /** Records a post that the account accepted (whatever the receiver's answer, 429 excepted). */
  accepted(): void {
    this.counts.add(POSTS);
  }

  /**
   * Records a 429 and says whose it is. `refusedInARow`: the consecutive 429s of this receiver, this one
   * included (its own refusals are left out of the evidence about the others).
   */
  refused(refusedInARow: number): ThrottleCause {
    const posts = this.counts.sum(POSTS);
    const refusals = this.counts.sum(REFUSALS);
    this.counts.add(POSTS);
    this.counts.add(REFUSALS);
    const own = Math.min(refusedInARow - 1, refusals);
    const otherPosts = posts - own;
    const otherRefusals = refusals - own;
    if (otherPosts > 0 && otherRefusals / otherPosts > this.accountShare) return 'account';
    if (refusedInARow >= 2 && otherPosts - otherRefusals >= this.minOtherPosts) return 'receiver';
    return 'unknown';
  }
}
