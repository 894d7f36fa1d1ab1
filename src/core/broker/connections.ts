import { errorFrame } from '../../protocol/index.ts';
import { guardConnect } from '../auth/index.ts';
import type { WebSocketEvent, WebSocketResult } from '../events.ts';
import type { BrokerHooks } from './broker-hooks.ts';
import type { BrokerContext } from './context.ts';
import type { ExpiryTimers } from './expiry-timers.ts';
import type { FrameLimiters } from './frame-limiters.ts';
import { OK } from './replies.ts';

/** `$connect` and `$disconnect`: the connection record, its token's expiry timer, its rate buckets. */
export class Connections {
  constructor(
    private readonly context: BrokerContext,
    private readonly timers: ExpiryTimers,
    private readonly limiters: FrameLimiters,
    private readonly hooks: BrokerHooks | undefined,
  ) {}

  async connect(event: WebSocketEvent): Promise<WebSocketResult> {
    const { store, limits, metrics, logger, auth } = this.context;
    const { connectionId, connectedAt, identity } = event.requestContext;
    const decision = await guardConnect(event, auth);
    if (!decision.allow) {
      metrics.count('connectsRefused');
      logger.info('connection refused', { connectionId, reason: decision.reason });
      const code = decision.statusCode === 503 ? 'unavailable' : 'unauthorized';
      return { statusCode: decision.statusCode, body: JSON.stringify(errorFrame(code, decision.message)) };
    }
    // onConnect: after the token, before anything is stored (a refused connection leaves no record).
    const hooked = this.hooks
      ? await this.hooks.connect(event, decision.claims, decision.headers)
      : undefined;
    if (hooked && 'refused' in hooked) return hooked.refused;
    const now = this.context.now();
    await store.putConnection({
      connectionId,
      connectedAt: connectedAt ?? now,
      expiresAt: Math.floor(now / 1000) + limits.recordTtlSeconds,
      ...(identity?.sourceIp ? { sourceIp: identity.sourceIp } : {}),
      ...(identity?.userAgent ? { userAgent: identity.userAgent } : {}),
      ...(decision.claims ? { claims: decision.claims } : {}),
      ...(hooked?.user === undefined ? {} : { user: hooked.user }),
    });
    if (decision.expiresAt !== undefined && auth?.expiryTimers) {
      this.timers.arm(connectionId, decision.expiresAt);
    }
    metrics.count('connects');
    logger.debug('connected', { connectionId });
    return Object.keys(decision.headers).length > 0 ? { statusCode: 200, headers: decision.headers } : OK;
  }

  async disconnect(connectionId: string): Promise<void> {
    this.timers.clear(connectionId);
    this.limiters.forget(connectionId);
    // onDisconnect gets the record as it was (its claims and user), after the records are gone.
    const record = this.hooks?.wantsDisconnect
      ? await this.context.store.getConnection(connectionId)
      : undefined;
    const memberOf = await this.context.store.removeConnection(connectionId);
    this.context.metrics.count('disconnects');
    if (memberOf?.length) await this.context.presenceEvents?.leaveAll(connectionId, memberOf);
    this.context.logger.debug('disconnected', { connectionId });
    if (this.hooks?.wantsDisconnect) await this.hooks.disconnect(connectionId, record);
  }
}
