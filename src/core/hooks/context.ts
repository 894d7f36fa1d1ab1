import type { JsonValue } from '../../protocol/index.ts';
import type { Claims } from '../auth/authorizer-context.ts';
import type { HookPublishReceipt } from './contract.ts';
import { jsonProblem } from './json-shape.ts';

/** What the broker does for a hook's `ctx.publish`, `ctx.send` and `ctx.close`. */
export interface HookActions {
  /** A server-side publish through the fan-out and history (no onPublish). */
  publish(topic: string, data: JsonValue): Promise<HookPublishReceipt>;
  /** A `direct` frame to one connection. */
  send(connectionId: string, data: JsonValue): Promise<void>;
  /** A `disconnect` frame (reason `policy`) and the end of the connection. */
  close(connectionId: string, reason: string): Promise<void>;
}

/**
 * Whom a hook acts for. `ended` is set once the hook has answered (or run out of time): its context then
 * refuses further actions, so a hook cannot act on a request that is already over.
 */
export type ActionTarget = (
  | { kind: 'connection'; connectionId: string }
  | { kind: 'connecting' }
  | { kind: 'disconnected'; connectionId: string }
  | { kind: 'backend' }
) & { ended?: boolean };

const NO_CONNECTION: Record<Exclude<ActionTarget['kind'], 'connection'>, string> = {
  connecting: 'onConnect runs before the connection is open: refuse it instead',
  disconnected: 'the connection is gone',
  backend: 'a POST /publish caller has no connection',
};

/** The part of every hook's context that acts: `publish`, `send`, `close`, `signal`, `claims`, `user`. */
export function hookContext(
  actions: HookActions,
  target: ActionTarget,
  signal: AbortSignal,
  who: { claims: Claims | undefined; user: JsonValue | undefined },
) {
  const open = (what: string) => {
    if (target.ended) throw new Error(`ctx.${what}: the hook has already answered`);
  };
  return {
    claims: who.claims,
    user: who.user,
    signal,
    async publish(topic: string, data: JsonValue): Promise<HookPublishReceipt> {
      open('publish');
      assertJson('publish', data);
      return actions.publish(topic, data);
    },
    async send(data: JsonValue): Promise<void> {
      open('send');
      if (target.kind !== 'connection') throw new Error(`ctx.send: ${NO_CONNECTION[target.kind]}`);
      assertJson('send', data);
      await actions.send(target.connectionId, data);
    },
    async close(reason = 'closed by the server'): Promise<void> {
      open('close');
      if (target.kind !== 'connection') throw new Error(`ctx.close: ${NO_CONNECTION[target.kind]}`);
      await actions.close(target.connectionId, String(reason).slice(0, 120));
    },
  };
}

function assertJson(what: string, data: unknown): void {
  const problem = jsonProblem(data);
  if (problem) throw new TypeError(`ctx.${what}: ${problem.replace('the value', 'data')}`);
}
