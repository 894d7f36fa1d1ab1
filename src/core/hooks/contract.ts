/**
 * The hooks contract (docs/hooks.md): what a user's hooks module exports and what each hook is given. Types,
 * `defineHooks` and `HookRejection` only, no runtime dependencies: a hooks module that imports them pulls
 * nothing else into the Lambda bundle.
 */
import type { ErrorCode, JsonValue } from '../../protocol/index.ts';
import type { Claims } from '../auth/authorizer-context.ts';

type MaybePromise<T> = T | Promise<T>;
/** A hook that answers nothing (a function without `return`, an async one's `Promise<void>`). */
// biome-ignore lint/suspicious/noConfusingVoidType: that is exactly what a hook without `return` returns.
type NoAnswer = void;

/** Codes a hook may refuse with: stable protocol codes (docs/protocol.md), so clients can switch on them. */
export type HookRejectionCode = Extract<
  ErrorCode,
  'forbidden' | 'unauthorized' | 'bad_request' | 'not_found' | 'rate_limited' | 'payload_too_large'
>;

export const HOOK_REJECTION_CODES: readonly HookRejectionCode[] = [
  'forbidden',
  'unauthorized',
  'bad_request',
  'not_found',
  'rate_limited',
  'payload_too_large',
];

/**
 * Recognized by this brand rather than by `instanceof`: a deployed hooks module is bundled with its own copy
 * of this class, and a module loaded by `topicsocket dev` may resolve `topicsocket` to another install.
 */
const REJECTION = Symbol.for('topicsocket.HookRejection');

/**
 * A hook's refusal, thrown or returned: the request is not carried out and the caller gets `code` and
 * `message` (an `error` frame, a refused upgrade at connect, an HTTP error on `POST /publish`). The message
 * goes to the client as it is: say what is wrong, not how the server works.
 */
export class HookRejection extends Error {
  override readonly name = 'HookRejection';
  readonly [REJECTION] = true;

  constructor(
    readonly code: HookRejectionCode = 'forbidden',
    message = 'refused',
  ) {
    super(message);
  }

  /** Whether `value` is a HookRejection, from whichever copy of topicsocket it came. */
  static is(value: unknown): value is HookRejection {
    return (
      typeof value === 'object' && value !== null && (value as { [REJECTION]?: unknown })[REJECTION] === true
    );
  }
}

/** What `ctx.publish` answers: the message's position in the topic's stream (with history on). */
export interface HookPublishReceipt {
  topic: string;
  delivered: number;
  offset?: number;
  epoch?: string;
}

/** What every hook's context can do, wherever it runs. */
export interface ServerContext {
  /**
   * Publishes server-side through the same fan-out and history as any publish (onPublish does not run for
   * it). Answers once the message is stored and fanned out, as `POST /publish` does.
   */
  publish(topic: string, data: JsonValue): Promise<HookPublishReceipt>;
  /** Aborted when the hook's time budget runs out: pass it to `fetch` and the like. */
  readonly signal: AbortSignal;
}

/** A hook's context on behalf of one connection. */
export interface ConnectionContext<User extends JsonValue = JsonValue> extends ServerContext {
  readonly connectionId: string;
  /** The connection's verified token claims (the kept ones: docs/hooks.md); undefined in open mode. */
  readonly claims: Readonly<Claims> | undefined;
  /** What onConnect returned as `user`, stored with the connection. */
  readonly user: User | undefined;
  /** Sends `data` to this connection alone, as a `direct` frame. */
  send(data: JsonValue): Promise<void>;
  /** Ends this connection: a `disconnect` frame with reason `policy` (no reconnect) and `reason`, then a close. */
  close(reason?: string): Promise<void>;
}

/** onConnect's context: the upgrade request. `send` and `close` refuse: the connection is not open yet. */
export interface ConnectContext extends Omit<ConnectionContext<never>, 'user'> {
  /** Request headers, lower-cased names. */
  readonly headers: Readonly<Record<string, string>>;
  /** Query string parameters. */
  readonly query: Readonly<Record<string, string>>;
  readonly sourceIp: string | undefined;
}

/** Who published: a client connection, or a backend through `POST /publish` (its key id or token subject). */
export type PublishCaller =
  | { kind: 'connection'; connectionId: string }
  | { kind: 'backend'; principal: string };

/**
 * onPublish's context. For a backend caller there is no connection: `connectionId`, `claims` and `user` are
 * undefined, and `send`/`close` refuse.
 */
export interface PublishContext<User extends JsonValue = JsonValue>
  extends Omit<ConnectionContext<User>, 'connectionId'> {
  readonly caller: PublishCaller;
  readonly connectionId: string | undefined;
}

/** What onConnect may answer. */
export type ConnectResult<User extends JsonValue> = NoAnswer | { user?: User } | HookRejection;
/** What onPublish may answer: `undefined` publishes as is, `{ data }` publishes the replacement. */
export type PublishHookResult = NoAnswer | { data: JsonValue } | HookRejection;

export type RpcMethod<User extends JsonValue = JsonValue> = (
  ctx: ConnectionContext<User>,
  params: JsonValue | undefined,
) => MaybePromise<JsonValue | NoAnswer | HookRejection>;

/** A hooks module's default export. Every hook is optional and may be async. */
export interface Hooks<User extends JsonValue = JsonValue> {
  /** After the token is verified, before the connection is stored. May refuse it, or attach `user`. */
  onConnect?(ctx: ConnectContext): MaybePromise<ConnectResult<User>>;
  /** After the token's topic permissions, before the subscription is stored. */
  onSubscribe?(
    ctx: ConnectionContext<User>,
    request: { topic: string },
  ): MaybePromise<HookRejection | NoAnswer>;
  /** After the rate limit and the permissions, before the message is stored and fanned out. */
  onPublish?(
    ctx: PublishContext<User>,
    message: { topic: string; data: JsonValue },
  ): MaybePromise<PublishHookResult>;
  /** Best effort: API Gateway's `$disconnect` can be missed (docs/hooks.md). */
  onDisconnect?(ctx: ConnectionContext<User>): MaybePromise<NoAnswer>;
  /** Request/response methods a client calls with `client.rpc(method, params)`; answered to it alone. */
  rpc?: Record<string, RpcMethod<User>>;
}

/** The names of the hooks, as logs and errors name them. */
export type HookName = Exclude<keyof Hooks, 'rpc'> | `rpc.${string}`;

/** Identity: gives a hooks object its types (`export default defineHooks({ ... })`). */
export function defineHooks<User extends JsonValue = JsonValue>(hooks: Hooks<User>): Hooks<User> {
  return hooks;
}
