import { createHash } from 'node:crypto';
import type { FanoutShard } from '../ports/index.ts';

/** A deterministic shard id from its parts: the same work always gets the same id (idempotency). */
export function shardId(...parts: readonly string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('base64url').slice(0, 27);
}

export function encodeShard(shard: FanoutShard): string {
  return JSON.stringify(shard);
}

export class ShardFormatError extends Error {
  override readonly name = 'ShardFormatError';
}

const isString = (value: unknown): value is string => typeof value === 'string';

/** Parses a queue message body; throws ShardFormatError for anything that is not a v1 shard. */
export function decodeShard(body: string): FanoutShard {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new ShardFormatError('the message body is not JSON');
  }
  const shard = value as Partial<FanoutShard> | null;
  const problems: string[] = [];
  if (!shard || typeof shard !== 'object') throw new ShardFormatError('the message body is not an object');
  if (shard.v !== 1) problems.push('v must be 1');
  if (!isString(shard.id) || !shard.id) problems.push('id');
  if (!isString(shard.topic) || !shard.topic) problems.push('topic');
  if (!Number.isInteger(shard.attempt) || (shard.attempt as number) < 0) problems.push('attempt');
  if (typeof shard.publishedAt !== 'number') problems.push('publishedAt');
  if (shard.frame !== undefined && !isString(shard.frame)) problems.push('frame');
  const ref = shard.ref;
  if (ref !== undefined && (!isString(ref.epoch) || !Number.isInteger(ref.offset))) problems.push('ref');
  if (shard.frame === undefined && ref === undefined) problems.push('frame or ref');
  const range = shard.range;
  if (range !== undefined) {
    if (typeof range !== 'object' || range === null) problems.push('range');
    else if (
      (range.after !== undefined && !isString(range.after)) ||
      (range.until !== undefined && !isString(range.until))
    )
      problems.push('range bounds');
  }
  const receivers = shard.receivers;
  if (receivers !== undefined && (!Array.isArray(receivers) || !receivers.every(isString))) {
    problems.push('receivers');
  }
  if ((range === undefined) === (receivers === undefined))
    problems.push('exactly one of range and receivers');
  if (problems.length) throw new ShardFormatError(`not a fan-out shard: ${problems.join(', ')}`);
  return shard as FanoutShard;
}
