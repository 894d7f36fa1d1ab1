import { randomUUID } from 'node:crypto';
import { type StreamPosition, utf8Length } from '../../protocol/index.ts';
import { deliverPages, type FanoutDeps, type FanoutResult, subscriberPageOf } from '../fanout.ts';
import type { FanoutQueue, FanoutShard, SubscriberRangePage, SubscriberRanges } from '../ports/index.ts';
import { estimateTotal, splitKeySpace } from './key-space.ts';
import type { ShardingSettings } from './settings.ts';
import { shardId } from './shard-codec.ts';

export interface ShardedFanoutResult extends FanoutResult {
  /** Shards handed to the workers; absent when the topic was small enough to fan out inline. */
  scheduled?: number;
}

export interface PlannerDeps extends FanoutDeps {
  ranges: SubscriberRanges;
  queue: FanoutQueue;
  settings: ShardingSettings;
  now: () => number;
}

/**
 * The publishing side of the sharded fan-out. The first subscriber page (limit: the threshold) decides:
 * when it holds the whole topic, the frame is delivered inline exactly as without sharding; otherwise the
 * subscriber key space is split into shards handed to the queue, and the publisher is answered at once.
 */
export async function publishSharded(
  deps: PlannerDeps,
  topic: string,
  frame: string,
  position: StreamPosition | undefined,
): Promise<ShardedFanoutResult> {
  // One more than the threshold: a topic of exactly `threshold` subscribers ends within the page.
  const first = await deps.ranges.subscriberPage(topic, {}, deps.settings.threshold + 1);
  if (first.next === undefined) return deliverPages(deps, topic, frame, [subscriberPageOf(first)]);
  const shards = planShards(topic, frame, position, first, deps.settings, deps.now());
  await deps.queue.enqueue(shards);
  deps.metrics.count('shardsScheduled', shards.length);
  deps.logger.debug('fan-out scheduled', { topic, shards: shards.length, ...position });
  return { delivered: 0, gone: 0, failed: 0, abandoned: 0, scheduled: shards.length };
}

/**
 * Key ranges sized for `shardSize` subscribers each, from the first page's density. The same publish
 * (same topic and position) always gets the same shard ids, so a retried idempotent publish finds the
 * shards that completed already.
 */
export function planShards(
  topic: string,
  frame: string,
  position: StreamPosition | undefined,
  first: SubscriberRangePage,
  settings: ShardingSettings,
  now: number,
): FanoutShard[] {
  const estimate = estimateTotal(first.connectionIds.length, first.next ?? '');
  const count = Math.max(2, Math.min(settings.maxShards, Math.ceil(estimate / settings.shardSize)));
  const publishId = position ? `${position.epoch}:${position.offset}` : randomUUID();
  // The frame rides along when it fits a queue message; else (only with history) workers read it back.
  const body: Pick<FanoutShard, 'frame' | 'ref'> =
    position && utf8Length(frame) > settings.inlineFrameBytes
      ? { ref: { epoch: position.epoch, offset: position.offset } }
      : { frame };
  return splitKeySpace(count).map((range, index) => ({
    v: 1,
    id: shardId(topic, publishId, String(count), String(index)),
    topic,
    ...body,
    range,
    attempt: 0,
    publishedAt: now,
  }));
}
