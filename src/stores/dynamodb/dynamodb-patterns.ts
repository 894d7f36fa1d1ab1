import { randomUUID } from 'node:crypto';
import { BatchGetCommand, type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { isPattern, patternsMatching } from '../../protocol/index.ts';
import { Keys, Names } from './keys.ts';
import {
  MARKER_CACHE_WINDOW_MS,
  MARKER_EXPIRY_MARGIN_SECONDS,
  MARKER_WAIT_MARGIN_MS,
  type MarkerState,
  type MonotonicClock,
  PatternMarkerCache,
} from './pattern-marker-cache.ts';

/** Attributes of a marker item besides its key and `ttl`. */
const MarkerNames = {
  /** A random id per life of the marker (set when it is created or re-created after expiring). */
  '#g': 'g',
  /** Present once every process's cached "no marker" from before this life has expired. */
  '#r': 'r',
} as const;

/**
 * What a subscribe still owes before its ack: wait until `deadline` (monotonic ms), then mark the marker's
 * life `generation` ready (dynamodb-patterns.ts, `settle`).
 */
export interface MarkerHold {
  generation: string;
  deadline: number;
}

/** Attempts at renewing or creating a marker that concurrent subscribes keep changing. */
const TOUCH_ATTEMPTS = 4;

/**
 * Pattern markers (docs/dynamodb.md, "Wildcard subscriptions"): one small item per pattern that has, or may
 * have, live subscribers, with the latest TTL of its subscriptions. A publish to `a/b/c` needs to know which
 * of `*`, `a/*` and `a/b/*` are live, then Queries only those partitions. The answers are cached per process
 * for MARKER_CACHE_WINDOW_MS (pattern-marker-cache.ts), so a warm process reads each marker at most once per
 * window; the subscribe that creates a marker waits out that window before its ack, so no process can still
 * be trusting a "no marker" read from before it.
 */
export class PatternMarkers {
  private readonly cache: PatternMarkerCache;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly nowSeconds: () => number,
    private readonly consistent: boolean,
    private readonly clock: MonotonicClock,
    maxEntries?: number,
  ) {
    this.cache = new PatternMarkerCache(clock, maxEntries);
  }

  /** Marker reads this process holds (bounded by the cache's max entries). */
  get cachedMarkers(): number {
    return this.cache.size;
  }

  /**
   * Makes the marker live until at least `expiresAt`. Called BEFORE the subscription is written, so a
   * publish that finds the subscription has found the marker. The TTL only ever grows within one life of
   * the marker, so a marker never dies before any subscription of its pattern; a subscribe that then fails
   * leaves a marker that costs empty Queries until its TTL, never a missed delivery.
   *
   * Resolves to what the subscribe must wait for before its ack (`settle`), or undefined when the marker's
   * life is ready already (the common case: one UpdateItem, or one failed conditional UpdateItem).
   */
  async touch(pattern: string, expiresAt: number): Promise<MarkerHold | undefined> {
    for (let attempt = 0; attempt < TOUCH_ATTEMPTS; attempt++) {
      const soon = this.nowSeconds() + MARKER_EXPIRY_MARGIN_SECONDS;
      const seen = await this.renew(pattern, expiresAt, soon);
      if (seen.live) return seen.ready ? undefined : this.hold(seen.generation);
      const generation = randomUUID();
      if (await this.create(pattern, Math.max(expiresAt, seen.ttl ?? 0), seen.ttl, generation)) {
        return this.hold(generation);
      }
      // Another subscribe created or renewed it meanwhile: look again.
    }
    throw new Error(`the marker of ${pattern} kept changing under concurrent subscribes`);
  }

  /**
   * Waits until the hold's deadline, then marks that life of the marker ready, so later subscribers ack at
   * once. Any subscriber that waited may mark it (the creator may have died meanwhile); a marker that
   * expired and was re-created since is another life and stays unready.
   */
  async settle(pattern: string, hold: MarkerHold): Promise<void> {
    await this.clock.sleep(hold.deadline - this.clock.now());
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: Keys.patternMarker(pattern),
          UpdateExpression: 'SET #r = :true',
          ConditionExpression: '#g = :g',
          ExpressionAttributeNames: { '#r': MarkerNames['#r'], '#g': MarkerNames['#g'] },
          ExpressionAttributeValues: { ':true': true, ':g': hold.generation },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  /**
   * The partitions a publish to `topic` reads: the topic's own, then the live patterns matching it. Markers
   * not fresh in the cache are read in one BatchGetItem of at most MAX_PATTERN_DEPTH + 1 keys (under its
   * limit of 100); keys DynamoDB leaves unprocessed count as live, so they cost a Query rather than a missed
   * subscriber, and are not cached.
   */
  async partitionsOf(topic: string): Promise<string[]> {
    if (isPattern(topic)) return [topic];
    const patterns = patternsMatching(topic);
    const states = await this.cache.states(patterns, (missing) => this.read(missing));
    return [topic, ...patterns.filter((_, i) => states[i] !== 'dead')];
  }

  private async read(patterns: readonly string[]): Promise<Map<string, MarkerState>> {
    const table = this.tableName;
    const out = await this.client.send(
      new BatchGetCommand({
        RequestItems: {
          [table]: {
            Keys: patterns.map((pattern) => Keys.patternMarker(pattern)),
            ProjectionExpression: '#pk, #ttl',
            ExpressionAttributeNames: { '#pk': Names['#pk'], '#ttl': Names['#ttl'] },
            ConsistentRead: this.consistent,
          },
        },
      }),
    );
    const now = this.nowSeconds();
    const states = new Map<string, MarkerState>(patterns.map((pattern) => [pattern, 'dead']));
    for (const item of (out.Responses?.[table] ?? []) as Array<{ pk: string; ttl?: number }>) {
      if ((item.ttl ?? 0) > now) states.set(item.pk.slice(2), 'live');
    }
    const unprocessed = (out.UnprocessedKeys?.[table]?.Keys ?? []) as Array<Record<string, unknown>>;
    for (const key of unprocessed) {
      const pk = key[Names['#pk']];
      if (typeof pk === 'string') states.set(pk.slice(2), 'unknown');
    }
    return states;
  }

  /** After the write that told us the marker's state: no cached "no marker" older than it outlives this. */
  private hold(generation: string): MarkerHold {
    return { generation, deadline: this.clock.now() + MARKER_CACHE_WINDOW_MS + MARKER_WAIT_MARGIN_MS };
  }

  /**
   * Raises the TTL of a live marker that is not about to expire (`ttl > soon`), or learns it is long enough
   * already; otherwise reports what it saw (absent, expiring, or written before markers had lives).
   */
  private async renew(
    pattern: string,
    expiresAt: number,
    soon: number,
  ): Promise<{ live: true; generation: string; ready: boolean } | { live: false; ttl?: number }> {
    let item: Record<string, unknown> | undefined;
    try {
      const out = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: Keys.patternMarker(pattern),
          UpdateExpression: 'SET #ttl = :ttl',
          ConditionExpression: 'attribute_exists(#g) AND #ttl > :soon AND #ttl < :ttl',
          ExpressionAttributeNames: { '#ttl': Names['#ttl'], '#g': MarkerNames['#g'] },
          ExpressionAttributeValues: { ':ttl': expiresAt, ':soon': soon },
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      item = out.Attributes;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const old = (error as { Item?: Parameters<typeof unmarshall>[0] }).Item;
      item = old ? unmarshall(old) : undefined;
    }
    const ttl = typeof item?.ttl === 'number' ? item.ttl : undefined;
    const generation = item?.g;
    if (ttl !== undefined && ttl > soon && typeof generation === 'string') {
      return { live: true, generation, ready: item?.r === true };
    }
    return ttl === undefined ? { live: false } : { live: false, ttl };
  }

  /**
   * Starts a new life of the marker, unready, only if it is still as `renew` saw it (absent, or with the
   * TTL `previousTtl`): of concurrent creators exactly one wins, the others renew the winner's life.
   */
  private async create(
    pattern: string,
    expiresAt: number,
    previousTtl: number | undefined,
    generation: string,
  ): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: Keys.patternMarker(pattern),
          UpdateExpression: 'SET #ttl = :ttl, #g = :g REMOVE #r',
          ConditionExpression: previousTtl === undefined ? 'attribute_not_exists(#ttl)' : '#ttl = :previous',
          ExpressionAttributeNames: {
            '#ttl': Names['#ttl'],
            '#g': MarkerNames['#g'],
            '#r': MarkerNames['#r'],
          },
          ExpressionAttributeValues: {
            ':ttl': expiresAt,
            ':g': generation,
            ...(previousTtl === undefined ? {} : { ':previous': previousTtl }),
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}

function isConditionFailure(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}
