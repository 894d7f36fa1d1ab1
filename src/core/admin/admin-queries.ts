import { type JsonValue, topicProblem, utf8Length } from '../../protocol/index.ts';
import type { Retention } from '../ports/history.ts';
import type { History } from '../ports/index.ts';
import type { ConnectionSummary, Inventory, ListPage, TopicSummary } from '../ports/inventory.ts';
import { AdminLimits } from './admin-limits.ts';

/** Codes of the admin answers' errors (an HTTP API of the local server, not protocol v1 frames). */
export type AdminErrorCode = 'bad_request' | 'invalid_topic' | 'not_implemented' | 'history_off';

export interface AdminError {
  type: 'error';
  code: AdminErrorCode;
  message: string;
}

export type AdminAnswer<T> = { status: 200; body: T } | { status: 400 | 501; body: AdminError };

/** Query parameters as the transport got them (URLSearchParams.get gives `null` for a missing one). */
export type AdminQuery = (name: string) => string | null | undefined;

export interface TopicsBody {
  topics: TopicSummary[];
  /** Cursor of the next page (`?after=`), null on the last one. */
  next: string | null;
}

export interface ConnectionView extends Omit<ConnectionSummary, 'topics'> {
  /** The `sub` claim of the connection's token, or null on an open server. */
  identity: string | null;
  ageSeconds: number;
  subscriptions: string[];
}

export interface ConnectionsBody {
  connections: ConnectionView[];
  next: string | null;
}

export interface HistoryBody {
  topic: string;
  epoch: string;
  /** Newest offset of the stream, and the oldest still retained. */
  top: number;
  oldest: number;
  messages: Array<{ offset: number; data: JsonValue }>;
  /** `?after=` for the next page, null when this page reaches `top`. */
  next: number | null;
}

export interface AdminQueriesOptions {
  /** The store's listings; absent when it has none (DynamoDB), then listings answer 501. */
  inventory?: Inventory;
  /** The store's history and the broker's retention; absent or `false` when history is off. */
  history?: History;
  retention: Retention | false;
  now?: () => number;
}

/**
 * The read-only questions the console asks about the server's state, transport-neutral (the local
 * runtime's HTTP routes are a thin adapter): topics with subscriber counts, connections with their
 * identity and subscriptions, a topic's retained history. Each answer is one bounded page (AdminLimits).
 */
export class AdminQueries {
  private readonly now: () => number;

  constructor(private readonly options: AdminQueriesOptions) {
    this.now = options.now ?? Date.now;
  }

  async topics(query: AdminQuery): Promise<AdminAnswer<TopicsBody>> {
    const inventory = this.options.inventory;
    if (!inventory) return notImplemented();
    const page = pageParams(query, AdminLimits.defaultPage, AdminLimits.maxPage);
    if ('error' in page) return page.error;
    const listed = await inventory.listTopics(page);
    return { status: 200, body: { topics: listed.items, next: nextOf(listed) } };
  }

  async connections(query: AdminQuery): Promise<AdminAnswer<ConnectionsBody>> {
    const inventory = this.options.inventory;
    if (!inventory) return notImplemented();
    const page = pageParams(query, AdminLimits.defaultPage, AdminLimits.maxPage);
    if ('error' in page) return page.error;
    const listed = await inventory.listConnections(page);
    const now = this.now();
    const connections = listed.items.map(({ topics, ...connection }) => ({
      ...connection,
      identity: typeof connection.claims?.sub === 'string' ? connection.claims.sub : null,
      ageSeconds: Math.max(0, Math.floor((now - connection.connectedAt) / 1000)),
      subscriptions: topics,
    }));
    return { status: 200, body: { connections, next: nextOf(listed) } };
  }

  /**
   * One page of a topic's retained messages, ascending: the newest `limit` without `after`, else those
   * after it. Like a subscribe, reading a topic that has no stream yet gives it one (a new epoch, top 0).
   */
  async history(query: AdminQuery): Promise<AdminAnswer<HistoryBody>> {
    const { history, retention } = this.options;
    if (!history || !retention) {
      return failure(
        501,
        'history_off',
        'this server keeps no history (history is off or the store has none)',
      );
    }
    const topic = query('topic') ?? '';
    const problem = topicProblem(topic);
    if (problem) return failure(400, 'invalid_topic', problem);
    const limit = integerParam(query, 'limit', AdminLimits.defaultHistoryPage, 1, AdminLimits.maxHistoryPage);
    if (typeof limit !== 'number') return limit;
    const afterParam = integerParam(query, 'after', -1, 0, Number.MAX_SAFE_INTEGER);
    if (typeof afterParam !== 'number') return afterParam;
    const after = afterParam >= 0 ? afterParam : Math.max(0, (await history.position(topic)).offset - limit);
    const page = await history.read(topic, after, { retention, limit });
    const messages: HistoryBody['messages'] = [];
    let bytes = 0;
    for (const message of page.messages) {
      bytes += utf8Length(JSON.stringify(message.data));
      if (messages.length > 0 && bytes > AdminLimits.maxHistoryBytes) break;
      messages.push(message);
    }
    const last = messages.at(-1)?.offset ?? after;
    return {
      status: 200,
      body: {
        topic,
        epoch: page.epoch,
        top: page.top,
        oldest: page.oldest,
        messages,
        next: messages.length > 0 && last < page.top ? last : null,
      },
    };
  }
}

function pageParams(
  query: AdminQuery,
  defaultLimit: number,
  maxLimit: number,
): { limit: number; after?: string } | { error: AdminAnswer<never> } {
  const limit = integerParam(query, 'limit', defaultLimit, 1, maxLimit);
  if (typeof limit !== 'number') return { error: limit };
  const after = query('after');
  return after ? { limit, after } : { limit };
}

function integerParam(
  query: AdminQuery,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number | AdminAnswer<never> {
  const raw = query(name);
  if (raw === null || raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    return failure(400, 'bad_request', `${name} must be an integer from ${min} to ${max}`);
  }
  return value;
}

function nextOf(page: ListPage<unknown>): string | null {
  return page.next ?? null;
}

function notImplemented(): AdminAnswer<never> {
  return failure(
    501,
    'not_implemented',
    'this store cannot list topics or connections without scanning its whole table (docs/console.md)',
  );
}

function failure(status: 400 | 501, code: AdminErrorCode, message: string): AdminAnswer<never> {
  return { status, body: { type: 'error', code, message } };
}
