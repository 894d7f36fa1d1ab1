import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { JsonValue } from '../../protocol/index.ts';

/** A connection item as the store reads it; `topics` maps topic -> subscription expiry (epoch seconds). */
export interface ConnectionAttributes {
  connectionId: string;
  connectedAt: number;
  ttl: number;
  sourceIp?: string;
  userAgent?: string;
  claims?: { [key: string]: JsonValue };
  /** The hooks' `user`, as JSON text (see DynamoDbStore.putConnection). */
  user?: string;
  topics: Map<string, number>;
  /** Topics the connection is a presence member of (a string set; absent when none). */
  members?: Set<string>;
}

/**
 * Unmarshalls a raw connection item. The `topics` map is converted by hand into a `Map`: util-dynamodb builds
 * a plain object with `acc[key] = value`, where a topic named `__proto__` vanishes and `constructor` or
 * `toString` read back as Object.prototype members, so such topics could never be subscribed.
 */
export function readConnectionAttributes(
  item: Record<string, AttributeValue> | undefined,
): ConnectionAttributes | undefined {
  if (!item) return undefined;
  const { topics, ...rest } = item;
  const record = unmarshall(rest, { wrapNumbers: false }) as Omit<ConnectionAttributes, 'topics'>;
  const map = new Map<string, number>();
  for (const [topic, value] of Object.entries(topics?.M ?? {})) {
    if (value.N !== undefined) map.set(topic, Number(value.N));
  }
  return { ...record, topics: map };
}
