import { type DynamoDBDocumentClient, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { MemberListOptions, MemberPage, Presence, PresenceMember } from '../../core/index.ts';
import { Keys, Names } from './keys.ts';

/**
 * Presence reads on the member partition `P#<topic>` (docs/dynamodb.md, "Presence"): one item per member,
 * written in the subscribe transaction with the member's data, so a listing page is one Query and a count
 * one COUNT Query (per 1 MB), with no read of the connection items and none of the topic's other subscribers.
 */
export class DynamoDbPresence implements Presence {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly nowSeconds: () => number,
  ) {}

  /** A member item: the key, its TTL (the subscription's) and the member's data as JSON text. */
  static item(topic: string, member: PresenceMember, expiresAt: number): Record<string, unknown> {
    const { connectionId, ...data } = member;
    return {
      ...Keys.member(topic, connectionId),
      [Names['#ttl']]: expiresAt,
      [Names['#m']]: JSON.stringify(data),
    };
  }

  async members(topic: string, options: MemberListOptions): Promise<MemberPage> {
    const page: MemberPage = { members: [] };
    let start: Record<string, unknown> | undefined =
      options.after === undefined ? undefined : Keys.member(topic, options.after);
    // Expired items are filtered after the Limit, so a page may come back short: read on until it is full.
    do {
      const out = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: '#pk = :pk',
          FilterExpression: '#ttl > :now',
          ProjectionExpression: '#sk, #m',
          ExpressionAttributeNames: {
            '#pk': Names['#pk'],
            '#sk': Names['#sk'],
            '#ttl': Names['#ttl'],
            '#m': Names['#m'],
          },
          ExpressionAttributeValues: { ':pk': Keys.memberPartition(topic), ':now': this.nowSeconds() },
          Limit: options.limit - page.members.length,
          ConsistentRead: true,
          ...(start === undefined ? {} : { ExclusiveStartKey: start }),
        }),
      );
      for (const item of (out.Items ?? []) as Array<{ sk: string; m?: string }>) {
        const data = item.m === undefined ? {} : (JSON.parse(item.m) as Omit<PresenceMember, 'connectionId'>);
        page.members.push({ connectionId: Keys.connectionIdOfSortKey(item.sk), ...data });
      }
      start = out.LastEvaluatedKey;
    } while (start !== undefined && page.members.length < options.limit);
    const last = page.members[page.members.length - 1];
    if (start !== undefined && last) page.next = last.connectionId;
    return page;
  }

  async memberCount(topic: string): Promise<number> {
    let count = 0;
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: '#pk = :pk',
          FilterExpression: '#ttl > :now',
          ExpressionAttributeNames: { '#pk': Names['#pk'], '#ttl': Names['#ttl'] },
          ExpressionAttributeValues: { ':pk': Keys.memberPartition(topic), ':now': this.nowSeconds() },
          Select: 'COUNT',
          ConsistentRead: true,
          ...(start === undefined ? {} : { ExclusiveStartKey: start }),
        }),
      );
      count += out.Count ?? 0;
      start = out.LastEvaluatedKey;
    } while (start !== undefined);
    return count;
  }

  async countPresenceEvent(topic: string, windowStart: number, expiresAt: number): Promise<number> {
    const out = await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: Keys.presenceEvents(topic, windowStart),
        UpdateExpression: 'ADD #n :one SET #ttl = :ttl',
        ExpressionAttributeNames: { '#n': 'n', '#ttl': Names['#ttl'] },
        ExpressionAttributeValues: { ':one': 1, ':ttl': expiresAt },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return Number(out.Attributes?.n ?? 1);
  }
}
