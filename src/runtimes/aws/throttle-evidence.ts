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
export type ThrottleCause = 'account' | 'receiver' | 'unknown';

export interface ThrottleEvidenceOptions {
  /** Share of other posts refused above which a 429 is the account's (default 0.02). */
  accountShare?: number;
  /** Other posts needed in the window before a receiver can be blamed (default 3). */
  minOtherPosts?: number;
  now?: () => number;
}

const SLOT_MS = 100;
const SLOTS = 10;

export class ThrottleEvidence {
  private readonly accountShare: number;
  private readonly minOtherPosts: number;
  private readonly now: () => number;
  private readonly posts = new Array<number>(SLOTS).fill(0);
  private readonly refusals = new Array<number>(SLOTS).fill(0);
  private slotStart: number;
  private slotIndex = 0;

  constructor(options: ThrottleEvidenceOptions = {}) {
    this.accountShare = options.accountShare ?? 0.02;
    this.minOtherPosts = options.minOtherPosts ?? 3;
    this.now = options.now ?? Date.now;
    this.slotStart = this.now();
  }

  /** Records a post that the account accepted (whatever the receiver's answer, 429 excepted). */
  accepted(): void {
    this.slot();
    this.posts[this.slotIndex] = (this.posts[this.slotIndex] ?? 0) + 1;
  }

  /**
   * Records a 429 and says whose it is. `refusedInARow`: the consecutive 429s of this receiver, this one
   * included (its own refusals are left out of the evidence about the others).
   */
  refused(refusedInARow: number): ThrottleCause {
    this.slot();
    let posts = 0;
    let refusals = 0;
    for (let i = 0; i < SLOTS; i++) {
      posts += this.posts[i] ?? 0;
      refusals += this.refusals[i] ?? 0;
    }
    this.posts[this.slotIndex] = (this.posts[this.slotIndex] ?? 0) + 1;
    this.refusals[this.slotIndex] = (this.refusals[this.slotIndex] ?? 0) + 1;
    const own = Math.min(refusedInARow - 1, refusals);
    const otherPosts = posts - own;
    const otherRefusals = refusals - own;
    if (otherPosts > 0 && otherRefusals / otherPosts > this.accountShare) return 'account';
    if (refusedInARow >= 2 && otherPosts - otherRefusals >= this.minOtherPosts) return 'receiver';
    return 'unknown';
  }

  private slot(): void {
    const now = this.now();
    if (now - this.slotStart > SLOT_MS * SLOTS) {
      this.posts.fill(0);
      this.refusals.fill(0);
      this.slotStart = now;
      return;
    }
    while (now - this.slotStart >= SLOT_MS) {
      this.slotStart += SLOT_MS;
      this.slotIndex = (this.slotIndex + 1) % SLOTS;
      this.posts[this.slotIndex] = 0;
      this.refusals[this.slotIndex] = 0;
    }
  }
}
