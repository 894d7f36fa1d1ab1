import { randomBytes } from 'node:crypto';

/** A new stream epoch: random, so a store that lost a topic's meta never reuses the old one. */
export function newEpoch(): string {
  return randomBytes(6).toString('base64url');
}
