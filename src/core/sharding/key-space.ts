/**
 * Splitting a topic's subscribers into key ranges without reading them all. API Gateway connection ids are
 * 11 random bytes in standard base64 (16 characters), so their leading characters are uniform over the 64
 * base64 digits: reading a key's first characters as a base-64 fraction gives its position in [0, 1), and
 * equal slices of [0, 1) hold about equal numbers of subscribers. Other ids (tests, custom emulators) still
 * get a correct partition, only a less even one.
 */

/** The base64 alphabet in byte order, which is the order DynamoDB and string comparison sort keys in. */
const DIGITS = '+/0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const BASE = DIGITS.length;
/** Characters read: 64^4 positions, far finer than any shard count. */
const PRECISION = 4;

/** How many digits sort before `char`: a monotonic map from any character onto 0..64. */
function rank(code: number): number {
  let low = 0;
  let high = BASE;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (DIGITS.charCodeAt(mid) < code) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** The key's position in [0, 1]: monotonic in string order (a longer key with the same prefix is not less). */
export function keyPosition(key: string): number {
  let position = 0;
  let scale = 1;
  for (let i = 0; i < PRECISION && i < key.length; i++) {
    scale /= BASE;
    const code = key.charCodeAt(i);
    const r = rank(code);
    // A digit takes its slot; another character sits where the next digit's slot starts (after every key
    // that begins with the digit before it).
    const exact = r < BASE && DIGITS.charCodeAt(r) === code;
    position += r * scale;
    if (!exact) break;
  }
  return Math.min(1, Math.max(0, position));
}

/** The shortest digit string at `fraction` of the key space (0 < fraction < 1). */
export function keyAt(fraction: number): string {
  let key = '';
  let rest = fraction;
  for (let i = 0; i < PRECISION; i++) {
    rest *= BASE;
    const digit = Math.min(BASE - 1, Math.floor(rest));
    key += DIGITS[digit];
    rest -= digit;
    if (rest <= 0) break;
  }
  return key;
}

/**
 * About how many subscribers a topic has, from its first page: `seen` live ids up to `lastKey`, which sits
 * at `keyPosition(lastKey)` of the key space.
 */
export function estimateTotal(seen: number, lastKey: string): number {
  const covered = keyPosition(lastKey);
  return covered <= 0 ? Number.POSITIVE_INFINITY : Math.ceil(seen / covered);
}

/**
 * `count` contiguous ranges covering every key: (-inf, b1], (b1, b2], ..., (b_{count-1}, +inf), with the
 * boundaries at equal fractions of the key space.
 */
export function splitKeySpace(count: number): Array<{ after?: string; until?: string }> {
  const boundaries: string[] = [];
  for (let i = 1; i < count; i++) {
    const key = keyAt(i / count);
    if (boundaries.length === 0 || key > (boundaries[boundaries.length - 1] as string)) boundaries.push(key);
  }
  const ranges: Array<{ after?: string; until?: string }> = [];
  let after: string | undefined;
  for (const until of boundaries) {
    ranges.push(after === undefined ? { until } : { after, until });
    after = until;
  }
  ranges.push(after === undefined ? {} : { after });
  return ranges;
}
