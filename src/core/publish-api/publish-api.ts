import {
  type ErrorCode,
  errorFrame,
  type JsonValue,
  ProtocolError,
  type PublishRequestMessage,
  parsePublishBody,
  topicProblem,
} from '../../protocol/index.ts';
import { OPEN_POLICY, policyAllows } from '../auth/topic-permissions.ts';
import type { PublishResult } from '../broker/index.ts';
import { type RateLimit, RateLimiter } from '../limits/index.ts';
import type { Logger } from '../ports/logger.ts';
import { silentLogger } from '../ports/logger.ts';
import { CallerAuthenticator, type PublishApiAuth } from './caller-auth.ts';
import { IdempotencyCache } from './idempotency-cache.ts';

export type { PublishApiAuth } from './caller-auth.ts';

export interface PublishApiOptions {
  /**
   * Publishes one message; the broker's `publish`. The idempotency key (scoped to the caller) goes to the
   * store's history too, so a retry that lands on another process or Lambda container is still stored once.
   */
  publish(topic: string, data: JsonValue, options?: { idempotencyKey?: string }): Promise<PublishResult>;
  /**
   * Throws the ProtocolError `publish` would throw for this message before storing anything (size, nesting);
   * the broker's `assertPublishable`. Every message of a batch passes it before the first is published.
   */
  check?(topic: string, data: JsonValue): void;
  /**
   * The onPublish hook (docs/hooks.md; the broker's `backendPublishHook`), run for every message of a batch
   * after the checks and before the first is published: a refusal refuses the whole batch (nothing is
   * published), a replacement is what gets published and stored.
   */
  beforePublish?(
    principal: string,
    topic: string,
    data: JsonValue,
  ): Promise<{ ok: true; value: JsonValue } | { ok: false; code: ErrorCode; message: string }>;
  auth: PublishApiAuth;
  /** Largest request body. Default 1 MB (a batch); each message is still held to the message limit. */
  maxBodyBytes?: number;
  /** Most messages in one batch. Default 100. */
  maxBatch?: number;
  /** Requests per caller (API key or token subject). Default 200/s, burst 400. `false`: off. */
  rate?: RateLimit | false;
  /** How long an idempotency key's answer is remembered. Default 10 minutes. */
  idempotencyTtlMs?: number;
  logger?: Logger;
  now?: () => number;
}

/** A transport-neutral HTTP request: what both the local server and an HTTP API Lambda event provide. */
export interface PublishHttpRequest {
  method: string;
  headers: Record<string, string | undefined>;
  /** Undefined when the transport stopped reading it at the size limit. */
  body: string | undefined;
  /**
   * A caller the transport has authenticated already (API Gateway's IAM authorization on AWS, which puts
   * the caller's ARN in the event). It may publish to any topic. Never set it from a request header.
   */
  verifiedPrincipal?: string;
}

export interface PublishHttpResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

/** One published message's outcome. `offset`/`epoch` appear once topics keep history. */
export interface PublishOutcome {
  topic: string;
  delivered: number;
  failed: number;
  /** Receivers the fan-out gave up on after throttling outlasted its budget (counted and logged). */
  abandoned?: number;
  offset?: number;
  epoch?: string;
  /** True when this answers a repeated idempotency key: nothing was published again. */
  duplicate?: true;
  /** Shards the fan-out was handed to (a topic above the fan-out threshold): stored and scheduled, counts 0. */
  scheduled?: number;
}

const STATUS: Partial<Record<ErrorCode, number>> = {
  bad_json: 400,
  bad_frame: 400,
  invalid_topic: 400,
  payload_too_large: 413,
  unauthorized: 401,
  forbidden: 403,
  rate_limited: 429,
  unavailable: 503,
  bad_request: 400,
  not_found: 404,
  hook_timeout: 503,
};

/**
 * `POST /publish` for backends: `{topic, data, idempotencyKey?}` or `{messages: [...]}`. Callers
 * authenticate with an API key or a bearer JWT; each message is checked and published like a client's
 * publish (topic rules, size limit), and answered with its delivery counts.
 */
export class PublishApi {
  private readonly callers: CallerAuthenticator;
  private readonly limiter: RateLimiter | undefined;
  private readonly idempotency: IdempotencyCache<Promise<PublishOutcome>>;
  private readonly logger: Logger;
  private readonly maxBodyBytes: number;
  private readonly maxBatch: number;

  constructor(private readonly options: PublishApiOptions) {
    this.callers = new CallerAuthenticator(options.auth);
    const rate = options.rate ?? { perSecond: 200, burst: 400 };
    this.limiter = rate ? new RateLimiter(rate, { now: options.now ?? Date.now }) : undefined;
    this.idempotency = new IdempotencyCache(options.idempotencyTtlMs ?? 10 * 60_000, 10_000, options.now);
    this.logger = options.logger ?? silentLogger;
    this.maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
    this.maxBatch = options.maxBatch ?? 100;
  }

  get bodyLimit(): number {
    return this.maxBodyBytes;
  }

  async handle(request: PublishHttpRequest): Promise<PublishHttpResponse> {
    if (request.method !== 'POST') return failure('bad_frame', 'use POST', 405);
    const caller = request.verifiedPrincipal
      ? { principal: `iam:${request.verifiedPrincipal}`, policy: OPEN_POLICY }
      : await this.callers.authenticate(request.headers);
    if ('code' in caller) return failure(caller.code, caller.message);
    if (this.limiter && !this.limiter.allow(caller.principal)) {
      return failure('rate_limited', 'too many publish requests; slow down');
    }
    if (request.body === undefined || Buffer.byteLength(request.body) > this.maxBodyBytes) {
      return failure('payload_too_large', `the body is larger than ${this.maxBodyBytes} bytes`);
    }
    const batch = parsePublishBody(request.body, { maxBatch: this.maxBatch });
    if (!batch.ok) return failure(batch.code, batch.message);
    // Every message is checked before any is published: a batch is refused whole, never half-sent.
    for (const [index, message] of batch.messages.entries()) {
      const problem = topicProblem(message.topic);
      if (problem) return failure('invalid_topic', `${message.topic.slice(0, 64)}: ${problem}`);
      if (!policyAllows(caller.policy, 'publish', message.topic)) {
        return failure('forbidden', `not allowed to publish to ${message.topic}`);
      }
      try {
        this.options.check?.(message.topic, message.data);
      } catch (error) {
        if (!(error instanceof ProtocolError))
          return failure('unavailable', 'the batch could not be checked');
        const where = batch.single ? '' : `messages[${index}]: `;
        return failure(error.code, `${where}${error.message}; nothing was published`);
      }
    }
    if (this.options.beforePublish) {
      for (const [index, message] of batch.messages.entries()) {
        const outcome = await this.options.beforePublish(caller.principal, message.topic, message.data);
        if (!outcome.ok) {
          const where = batch.single ? '' : `messages[${index}]: `;
          return failure(outcome.code, `${where}${outcome.message}; nothing was published`);
        }
        if (outcome.value !== message.data) {
          // The replacement is held to the same limits as the original.
          try {
            this.options.check?.(message.topic, outcome.value);
          } catch (error) {
            if (!(error instanceof ProtocolError))
              return failure('unavailable', 'the batch could not be checked');
            const where = batch.single ? '' : `messages[${index}]: `;
            return failure(
              error.code,
              `${where}onPublish's replacement: ${error.message}; nothing was published`,
            );
          }
          message.data = outcome.value;
        }
      }
    }
    try {
      const results: PublishOutcome[] = [];
      for (const message of batch.messages) results.push(await this.publishOnce(caller.principal, message));
      const body = batch.single ? results[0] : { results };
      return { statusCode: 200, headers: JSON_HEADERS, body: JSON.stringify(body) };
    } catch (error) {
      if (error instanceof ProtocolError) return failure(error.code, error.message);
      this.logger.error('publish API failed', {
        error: error instanceof Error ? error.message : String(error),
      });
      return failure('unavailable', 'the message could not be published; retry with the same idempotencyKey');
    }
  }

  private publishOnce(principal: string, message: PublishRequestMessage): Promise<PublishOutcome> {
    if (message.idempotencyKey === undefined) return this.publishNow(message);
    // Keys are per caller and topic: one caller cannot suppress another's messages, and one key used on two
    // topics publishes to both.
    const key = `${principal}\u0000${message.topic}\u0000${message.idempotencyKey}`;
    const earlier = this.idempotency.get(key);
    if (earlier) return earlier.then((outcome) => ({ ...outcome, duplicate: true as const }));
    const pending = this.publishNow(message, `${principal}\u0000${message.idempotencyKey}`);
    this.idempotency.set(key, pending);
    // A failed publish may be retried with the same key: forget it.
    pending.catch(() => {
      if (this.idempotency.get(key) === pending) this.idempotency.delete(key);
    });
    return pending;
  }

  private async publishNow(message: PublishRequestMessage, scopedKey?: string): Promise<PublishOutcome> {
    const result = await this.options.publish(
      message.topic,
      message.data,
      scopedKey === undefined ? {} : { idempotencyKey: `api\u0000${scopedKey}` },
    );
    const { gone: _gone, abandoned, ...rest } = result;
    return abandoned ? { ...rest, abandoned } : rest;
  }
}

const JSON_HEADERS = { 'content-type': 'application/json' };

function failure(code: ErrorCode, message: string, status?: number): PublishHttpResponse {
  return {
    statusCode: status ?? STATUS[code] ?? 500,
    headers: JSON_HEADERS,
    body: JSON.stringify(errorFrame(code, message)),
  };
}
