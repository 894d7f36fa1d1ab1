export interface BackoffOptions {
  /** Shortest wait before a reconnect attempt. */
  minDelayMs: number;
  /** Longest wait; the ceiling stops growing here. */
  maxDelayMs: number;
  /** Growth of the ceiling per failed attempt. */
  factor: number;
}

/**
 * Full-jitter exponential backoff above a floor: the wait is uniform in
 * [minDelayMs, min(maxDelayMs, minDelayMs * factor^(attempt + 1))]. Jitter applies from the very first
 * attempt, so thousands of clients dropped at once by a server restart do not come back in step.
 * `attempt` counts failed attempts since the last stable connection, from 0. `random` returns [0, 1).
 */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number): number {
  const { minDelayMs, maxDelayMs, factor } = options;
  const floor = Math.min(minDelayMs, maxDelayMs);
  // Cap the exponent so a client that has failed for days does not overflow to Infinity.
  const ceiling = Math.min(maxDelayMs, minDelayMs * factor ** Math.min(attempt + 1, 64));
  return Math.round(floor + random() * Math.max(0, ceiling - floor));
}

/** Jittered lifetime for a connection: uniform in [maxAgeMs * (1 - spread), maxAgeMs]. */
export function jitteredAge(maxAgeMs: number, spread: number, random: () => number): number {
  return Math.round(maxAgeMs * (1 - spread * random()));
}
