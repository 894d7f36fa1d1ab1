import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { ShardLedger } from '../../core/index.ts';
import { Keys, Names } from './keys.ts';

/**
 * Shard completion markers as items (`F#<shardId>`, TTL): one strongly consistent GetItem before a shard,
 * one conditional PutItem after it, so two copies of one shard cannot both be recorded as the first.
 */
export class DynamoDbShardLedger implements ShardLedger {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly now: () => number,
  ) {}

  async isShardDone(shardId: string): Promise<boolean> {
    const out = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: Keys.shardMarker(shardId), ConsistentRead: true }),
    );
    const ttl = out.Item?.[Names['#ttl']];
    return typeof ttl === 'number' && ttl > this.nowSeconds();
  }

  async markShardDone(shardId: string, expiresAt: number): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...Keys.shardMarker(shardId), [Names['#ttl']]: expiresAt },
          // An expired marker (TTL deletes lazily) counts as absent.
          ConditionExpression: 'attribute_not_exists(#pk) OR #ttl <= :now',
          ExpressionAttributeNames: { '#pk': Names['#pk'], '#ttl': Names['#ttl'] },
          ExpressionAttributeValues: { ':now': this.nowSeconds() },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof Error && error.name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }

  private nowSeconds(): number {
    return Math.floor(this.now() / 1000);
  }
}
