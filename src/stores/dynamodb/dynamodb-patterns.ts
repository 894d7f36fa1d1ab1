import { BatchGetCommand, type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { isPattern, patternsMatching } from '../../protocol/index.ts';
import { Keys, Names } from './keys.ts';

/**
 * Pattern markers (docs/dynamodb.md, "Wildcard subscriptions"): one small item per pattern that has, or may
 * have, live subscribers, with the latest TTL of its subscriptions. A publish to `a/b/c` reads the markers of
 * `*`, `a/*` and `a/b/*` in one BatchGetItem and Queries only the partitions of the live ones, so a topic
 * with no wildcard subscriber above it pays one read request for its patterns, however deep it is.
 */
export class PatternMarkers {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly nowSeconds: () => number,
    private readonly consistent: boolean,
  ) {}

  /**
   * Makes the marker live until at least `expiresAt`. Called BEFORE the subscription is written: once the
   * subscribe resolves, a publish that starts later finds the marker (strongly consistent read), then the
   * subscription. The TTL only ever grows (a conditional update), so a marker never dies before any
   * subscription of its pattern; a subscribe that then fails leaves a marker that costs empty Queries until
   * its TTL, never a missed delivery.
   */
  async touch(pattern: string, expiresAt: number): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: Keys.patternMarker(pattern),
          UpdateExpression: 'SET #ttl = :ttl',
          ConditionExpression: 'attribute_not_exists(#ttl) OR #ttl < :ttl',
          ExpressionAttributeNames: { '#ttl': Names['#ttl'] },
          ExpressionAttributeValues: { ':ttl': expiresAt },
        }),
      );
    } catch (error) {
      // Already live for longer: nothing to do.
      if (!(error instanceof Error && error.name === 'ConditionalCheckFailedException')) throw error;
    }
  }

  /**
   * The partitions a publish to `topic` reads: the topic's own, then the live patterns matching it. One
   * BatchGetItem of at most MAX_PATTERN_DEPTH + 1 keys (under its limit of 100); keys DynamoDB leaves
   * unprocessed (throttling) count as live, so they cost a Query rather than a missed subscriber.
   */
  async partitionsOf(topic: string): Promise<string[]> {
    if (isPattern(topic)) return [topic];
    const patterns = patternsMatching(topic);
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
    const live = new Set<string>();
    for (const item of (out.Responses?.[table] ?? []) as Array<{ pk: string; ttl?: number }>) {
      if ((item.ttl ?? 0) > now) live.add(item.pk.slice(2));
    }
    const unprocessed = (out.UnprocessedKeys?.[table]?.Keys ?? []) as Array<Record<string, unknown>>;
    for (const key of unprocessed) {
      const pk = key[Names['#pk']];
      if (typeof pk === 'string') live.add(pk.slice(2));
    }
    return [topic, ...patterns.filter((pattern) => live.has(pattern))];
  }
}
