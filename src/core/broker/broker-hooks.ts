import {
  type DisconnectFrame,
  type ErrorCode,
  errorFrame,
  type FrameId,
  type JsonValue,
  type RpcFrame,
  serializeFrame,
  utf8Length,
} from '../../protocol/index.ts';
import type { Claims } from '../auth/index.ts';
import type { WebSocketEvent, WebSocketResult } from '../events.ts';
import type { HookActions } from '../hooks/context.ts';
import type { Hooks, PublishCaller } from '../hooks/contract.ts';
import { type HookConnection, type HookOutcome, HookRunner, type HooksSource } from '../hooks/runner.ts';
import type { ConnectionRecord } from '../ports/index.ts';
import type { Access } from './access.ts';
import type { BrokerContext } from './context.ts';
import type { Publisher } from './publisher.ts';
import { fail, reply } from './replies.ts';

/** BrokerOptions.hooks: a hooks object, or a source whose `current` may change (a reloaded module). */
export type BrokerHooksOption = Hooks | HooksSource;

/** The HTTP status of a `$connect` an onConnect hook refused (or failed on), by the answer's code. */
const CONNECT_STATUS: Partial<Record<ErrorCode, number>> = {
  unauthorized: 401,
  rate_limited: 429,
  internal_error: 500,
  hook_timeout: 503,
};

/**
 * The broker's side of server hooks (docs/hooks.md): runs each hook at its place in a route, through the
 * HookRunner (budgets, checks, failures answered), and carries out what hooks ask of the server
 * (`ctx.publish`, `ctx.send`, `ctx.close`). Absent hooks cost one `typeof` per route.
 */
export class BrokerHooks {
  readonly runner: HookRunner;

  constructor(
    private readonly context: BrokerContext,
    publisher: Publisher,
    hooks: BrokerHooksOption,
    timeoutMs: number | undefined,
  ) {
    const source: HooksSource = isSource(hooks) ? hooks : { current: hooks };
    const actions: HookActions = {
      publish: async (topic, data) => {
        const result = await publisher.publish(topic, data);
        return {
          topic,
          delivered: result.delivered,
          ...(result.offset === undefined ? {} : { offset: result.offset, epoch: result.epoch as string }),
        };
      },
      send: (connectionId, data) => this.send(connectionId, { type: 'direct', data }),
      close: async (connectionId, reason) => {
        const frame: DisconnectFrame = {
          type: 'disconnect',
          reason: 'policy',
          message: reason,
          reconnect: false,
        };
        // The frame says why; the connection is closed whether or not it arrived. API Gateway (and the
        // emulator) then run `$disconnect`, which removes the records.
        await this.context.gateway.send([connectionId], serializeFrame(frame)).catch(() => undefined);
        await this.context.gateway.close(connectionId);
      },
    };
    this.runner = new HookRunner(source, {
      actions,
      logger: context.logger,
      metrics: context.metrics,
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
    });
  }

  /**
   * onConnect, after the token is verified: the `user` to store, or the `$connect` result that refuses the
   * upgrade (401 `unauthorized`, 429 `rate_limited`, 500 on a failure, 503 `hook_timeout`, else 403).
   */
  async connect(
    event: WebSocketEvent,
    claims: Claims | undefined,
    headers: Record<string, string>,
  ): Promise<{ user: JsonValue | undefined } | { refused: WebSocketResult }> {
    if (!this.runner.has('onConnect')) return { user: undefined };
    const { connectionId, identity } = event.requestContext;
    const outcome = await this.runner.connect({
      connectionId,
      claims,
      headers: lowerCased(event.headers),
      query: defined(event.queryStringParameters),
      sourceIp: identity?.sourceIp,
    });
    if (outcome.ok) return { user: outcome.value };
    this.context.metrics.count('connectsRefused');
    this.context.logger.info('connection refused by onConnect', { connectionId, code: outcome.code });
    return {
      refused: {
        statusCode: CONNECT_STATUS[outcome.code] ?? 403,
        headers,
        body: serializeFrame(errorFrame(outcome.code, outcome.message)),
      },
    };
  }

  /** onSubscribe, after the permissions: undefined to go on, or the error answer. */
  async subscribe(connectionId: string, topic: string, access: Access, id: FrameId | undefined) {
    if (!this.runner.has('onSubscribe')) return undefined;
    const outcome = await this.runner.subscribe(await this.connection(connectionId, access), topic);
    return outcome.ok ? undefined : fail(outcome.code, outcome.message, id);
  }

  /** onPublish for a connection's publish, after rate and permissions: the data to publish, or the error. */
  async publish(
    connectionId: string,
    topic: string,
    data: JsonValue,
    access: Access,
  ): Promise<HookOutcome<JsonValue>> {
    if (!this.runner.has('onPublish')) return { ok: true, value: data };
    const caller: PublishCaller = { kind: 'connection', connectionId };
    return this.runner.publish(caller, await this.connection(connectionId, access), topic, data);
  }

  /** onPublish for `POST /publish` (a backend: no connection). */
  backendPublish(principal: string, topic: string, data: JsonValue): Promise<HookOutcome<JsonValue>> {
    if (!this.runner.has('onPublish')) return Promise.resolve({ ok: true, value: data });
    return this.runner.publish({ kind: 'backend', principal }, undefined, topic, data);
  }

  /** An `rpc` frame: a `result` to the caller alone, or an error. */
  async rpc(connectionId: string, frame: RpcFrame, access: Access): Promise<WebSocketResult> {
    const outcome = await this.runner.rpc(
      await this.connection(connectionId, access),
      frame.method,
      frame.params,
    );
    if (!outcome.ok) return fail(outcome.code, outcome.message, frame.id);
    const result = reply({ type: 'result', id: frame.id, result: outcome.value });
    const max = this.context.limits.maxMessageBytes;
    if (utf8Length(result.body as string) > max) {
      this.context.logger.error('hook returned the wrong shape', {
        hook: `rpc.${frame.method}`,
        connectionId,
        problem: `its result is larger than ${max} bytes, the largest frame`,
      });
      return fail('internal_error', `the server's rpc.${frame.method} hook answered wrongly`, frame.id);
    }
    return result;
  }

  /** Whether `$disconnect` must read the record first: only for an onDisconnect hook. */
  get wantsDisconnect(): boolean {
    return this.runner.has('onDisconnect');
  }

  /** onDisconnect with the record as it was: best effort, never throws. */
  async disconnect(connectionId: string, record: ConnectionRecord | undefined): Promise<void> {
    await this.runner.disconnect({ connectionId, claims: record?.claims, user: record?.user });
  }

  /** Who a hook runs for: the claims `access` resolved, and `user` when a hook can have set one. */
  private async connection(connectionId: string, access: Access): Promise<HookConnection> {
    let user: JsonValue | undefined;
    if (this.runner.wantsUser) {
      const record = access.record ?? (await this.context.store.getConnection(connectionId));
      user = record?.user;
    }
    return { connectionId, claims: access.claims, user };
  }

  private async send(connectionId: string, frame: { type: 'direct'; data: JsonValue }): Promise<void> {
    const text = serializeFrame(frame);
    const max = this.context.limits.maxMessageBytes;
    if (utf8Length(text) > max) throw new RangeError(`ctx.send: the frame is larger than ${max} bytes`);
    const report = await this.context.gateway.send([connectionId], text);
    if (report.delivered === 0) throw new Error('ctx.send: the connection is gone or not reading');
  }
}

function isSource(hooks: BrokerHooksOption): hooks is HooksSource {
  return 'current' in hooks;
}

function lowerCased(headers: Record<string, string | undefined> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {}))
    if (value !== undefined) out[name.toLowerCase()] = value;
  return out;
}

function defined(values: Record<string, string | undefined> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(values ?? {})) if (value !== undefined) out[name] = value;
  return out;
}
