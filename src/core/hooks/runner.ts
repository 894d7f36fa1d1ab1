import { type ErrorCode, type JsonValue, utf8Length } from '../../protocol/index.ts';
import type { Claims } from '../auth/authorizer-context.ts';
import { type Logger, type Metrics, noMetrics, silentLogger } from '../ports/index.ts';
import { type ActionTarget, type HookActions, hookContext } from './context.ts';
import {
  HOOK_REJECTION_CODES,
  type HookName,
  HookRejection,
  type Hooks,
  type PublishCaller,
} from './contract.ts';
import { jsonProblem } from './json-shape.ts';
import { HookDefaults } from './settings.ts';

/** Where the broker finds the hooks: `current` changes when `topicsocket dev` reloads the module. */
export interface HooksSource {
  readonly current: Hooks | undefined;
}

/** A hook's answer as the broker acts on it: a value, or a refusal/failure to answer the caller with. */
export type HookOutcome<T> = { ok: true; value: T } | { ok: false; code: ErrorCode; message: string };

export interface HookRunnerOptions {
  actions: HookActions;
  /** Budget of one call, ms (HookDefaults.timeoutMs). */
  timeoutMs?: number;
  logger?: Logger;
  metrics?: Metrics;
}

/** The connection a hook runs for. */
export interface HookConnection {
  connectionId: string;
  claims: Claims | undefined;
  user: JsonValue | undefined;
}

export interface ConnectRequest {
  connectionId: string;
  claims: Claims | undefined;
  headers: Record<string, string>;
  query: Record<string, string>;
  sourceIp: string | undefined;
}

type Read<T> = { value: T } | { problem: string };

const TIMED_OUT = Symbol('timed out');

/**
 * Runs the user's hooks for the broker: each call within its time budget, its answer checked, and every
 * way it can go wrong turned into an answer for that one request. A thrown error is `internal_error` to the
 * caller (the stack goes to the log only); a call past its budget is `hook_timeout` (its signal is aborted;
 * what it returns later is ignored); a result of the wrong shape is `internal_error`, logged with the hook's
 * name and what was wrong. Nothing a hook does can throw out of here.
 */
export class HookRunner {
  readonly timeoutMs: number;
  private readonly actions: HookActions;
  private readonly logger: Logger;
  private readonly metrics: Metrics;

  constructor(
    private readonly source: HooksSource,
    options: HookRunnerOptions,
  ) {
    this.actions = options.actions;
    this.timeoutMs = options.timeoutMs ?? HookDefaults.timeoutMs;
    this.logger = options.logger ?? silentLogger;
    this.metrics = options.metrics ?? noMetrics;
  }

  /** Whether the current module has this hook (a broker skips the work of a hook that is absent). */
  has(name: Exclude<keyof Hooks, 'rpc'>): boolean {
    return typeof this.source.current?.[name] === 'function';
  }

  /** Whether later hooks may need `ctx.user` (only onConnect sets it): the broker then reads the record. */
  get wantsUser(): boolean {
    return this.has('onConnect');
  }

  /** onConnect: `user` to store with the connection (undefined: none), or a refusal. */
  async connect(request: ConnectRequest): Promise<HookOutcome<JsonValue | undefined>> {
    const hook = this.source.current?.onConnect;
    if (!hook) return { ok: true, value: undefined };
    const target: ActionTarget = { kind: 'connecting' };
    return this.call(
      'onConnect',
      target,
      (signal) =>
        hook(
          Object.assign(
            hookContext(this.actions, target, signal, { claims: request.claims, user: undefined }),
            {
              connectionId: request.connectionId,
              headers: request.headers,
              query: request.query,
              sourceIp: request.sourceIp,
            },
          ),
        ),
      readConnect,
    );
  }

  async subscribe(connection: HookConnection, topic: string): Promise<HookOutcome<undefined>> {
    const hook = this.source.current?.onSubscribe;
    if (!hook) return { ok: true, value: undefined };
    const target = connected(connection);
    return this.call(
      'onSubscribe',
      target,
      (signal) => hook(this.connectionContext(connection, target, signal), { topic }),
      readNothing,
    );
  }

  /** onPublish: the data to publish (the original or the replacement), or a refusal. */
  async publish(
    caller: PublishCaller,
    connection: HookConnection | undefined,
    topic: string,
    data: JsonValue,
  ): Promise<HookOutcome<JsonValue>> {
    const hook = this.source.current?.onPublish;
    if (!hook) return { ok: true, value: data };
    const target: ActionTarget = connection ? connected(connection) : { kind: 'backend' };
    return this.call(
      'onPublish',
      target,
      (signal) =>
        hook(
          Object.assign(
            hookContext(this.actions, target, signal, {
              claims: connection?.claims,
              user: connection?.user,
            }),
            { caller, connectionId: connection?.connectionId },
          ),
          { topic, data },
        ),
      (value) => readPublish(value, data),
    );
  }

  /** onDisconnect: best effort; failures are logged and counted, never answered (there is nobody to answer). */
  async disconnect(connection: HookConnection): Promise<void> {
    const hook = this.source.current?.onDisconnect;
    if (!hook) return;
    const target: ActionTarget = { kind: 'disconnected', connectionId: connection.connectionId };
    await this.call(
      'onDisconnect',
      target,
      (signal) => hook(this.connectionContext(connection, target, signal)),
      () => ({
        value: undefined,
      }),
    );
  }

  /** An RPC call: the method's result (null for none), or a refusal, a failure or `unknown_method`. */
  async rpc(
    connection: HookConnection,
    method: string,
    params: JsonValue | undefined,
  ): Promise<HookOutcome<JsonValue>> {
    const methods = this.source.current?.rpc;
    const handler = methods && Object.hasOwn(methods, method) ? methods[method] : undefined;
    if (typeof handler !== 'function') {
      return {
        ok: false,
        code: 'unknown_method',
        message: `no method ${JSON.stringify(method.slice(0, 64))}`,
      };
    }
    const target = connected(connection);
    return this.call(
      `rpc.${method}`,
      target,
      (signal) => handler(this.connectionContext(connection, target, signal), params),
      readRpc,
    );
  }

  private connectionContext(connection: HookConnection, target: ActionTarget, signal: AbortSignal) {
    return Object.assign(hookContext(this.actions, target, signal, connection), {
      connectionId: connection.connectionId,
    });
  }

  private async call<T>(
    name: HookName,
    target: ActionTarget,
    invoke: (signal: AbortSignal) => unknown,
    read: (value: unknown) => Read<T>,
  ): Promise<HookOutcome<T>> {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<typeof TIMED_OUT>((resolve) => {
      timer = setTimeout(() => resolve(TIMED_OUT), this.timeoutMs);
    });
    const fields = { hook: name, ...targetFields(target) };
    // Promise.resolve().then: a hook that throws synchronously is caught like one that rejects.
    const running = Promise.resolve().then(() => invoke(controller.signal));
    try {
      const value = await Promise.race([running, timedOut]);
      if (value === TIMED_OUT) {
        controller.abort(new Error(`${name} exceeded its ${this.timeoutMs} ms budget`));
        // What it does after this is nobody's answer; a late failure is logged, never unhandled.
        running.then(
          () => {},
          (error: unknown) =>
            this.logger.warn('hook failed after its time budget', { ...fields, error: stackOf(error) }),
        );
        this.metrics.count('hookTimeouts');
        this.logger.warn('hook timed out', { ...fields, timeoutMs: this.timeoutMs });
        return {
          ok: false,
          code: 'hook_timeout',
          message: `the server's ${name} hook did not answer in time`,
        };
      }
      if (HookRejection.is(value)) return this.refused(name, value, fields);
      const result = read(value);
      if ('problem' in result) {
        this.metrics.count('hookErrors');
        this.logger.error('hook returned the wrong shape', { ...fields, problem: result.problem });
        return { ok: false, code: 'internal_error', message: `the server's ${name} hook answered wrongly` };
      }
      return { ok: true, value: result.value };
    } catch (error) {
      if (HookRejection.is(error)) return this.refused(name, error, fields);
      this.metrics.count('hookErrors');
      this.logger.error('hook threw', { ...fields, error: stackOf(error) });
      return { ok: false, code: 'internal_error', message: 'internal error' };
    } finally {
      clearTimeout(timer);
      target.ended = true;
    }
  }

  private refused(
    name: HookName,
    rejection: HookRejection,
    fields: Record<string, unknown>,
  ): HookOutcome<never> {
    if (!(HOOK_REJECTION_CODES as readonly string[]).includes(rejection.code)) {
      this.metrics.count('hookErrors');
      this.logger.error('hook returned the wrong shape', {
        ...fields,
        problem: `HookRejection code ${JSON.stringify(rejection.code)} is not one of ${HOOK_REJECTION_CODES.join(', ')}`,
      });
      return { ok: false, code: 'internal_error', message: `the server's ${name} hook answered wrongly` };
    }
    this.metrics.count('hookRejections');
    this.logger.debug('hook refused', { ...fields, code: rejection.code });
    const message = typeof rejection.message === 'string' ? rejection.message : String(rejection.message);
    return { ok: false, code: rejection.code, message: message.slice(0, HookDefaults.maxRejectionMessage) };
  }
}

function connected(connection: HookConnection): ActionTarget {
  return { kind: 'connection', connectionId: connection.connectionId };
}

function targetFields(target: ActionTarget): Record<string, string> {
  return 'connectionId' in target ? { connectionId: target.connectionId } : {};
}

function stackOf(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return `threw ${describeValue(error)}`;
}

function describeValue(value: unknown): string {
  try {
    return JSON.stringify(value)?.slice(0, 200) ?? String(value);
  } catch {
    return String(value);
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readNothing(value: unknown): Read<undefined> {
  return value === undefined
    ? { value: undefined }
    : { problem: `returned ${describeValue(value)}; expected nothing or a HookRejection` };
}

function readConnect(value: unknown): Read<JsonValue | undefined> {
  if (value === undefined) return { value: undefined };
  if (!isPlainObject(value) || Object.keys(value).some((key) => key !== 'user')) {
    return { problem: `returned ${describeValue(value)}; expected nothing, { user } or a HookRejection` };
  }
  const user = value.user;
  if (user === undefined) return { value: undefined };
  const problem = jsonProblem(user);
  if (problem)
    return { problem: `returned a user that is not JSON: ${problem.replace('the value', 'user')}` };
  const bytes = utf8Length(JSON.stringify(user));
  if (bytes > HookDefaults.maxUserBytes) {
    return {
      problem: `returned a user of ${bytes} bytes; at most ${HookDefaults.maxUserBytes} (serialized JSON)`,
    };
  }
  return { value: user as JsonValue };
}

function readPublish(value: unknown, original: JsonValue): Read<JsonValue> {
  if (value === undefined) return { value: original };
  if (!isPlainObject(value) || !('data' in value) || Object.keys(value).length !== 1) {
    return { problem: `returned ${describeValue(value)}; expected nothing, { data } or a HookRejection` };
  }
  const problem = jsonProblem(value.data);
  if (problem) return { problem: `returned data that is not JSON: ${problem.replace('the value', 'data')}` };
  return { value: value.data as JsonValue };
}

function readRpc(value: unknown): Read<JsonValue> {
  if (value === undefined) return { value: null };
  const problem = jsonProblem(value);
  return problem
    ? { problem: `returned a result that is not JSON: ${problem}` }
    : { value: value as JsonValue };
}
