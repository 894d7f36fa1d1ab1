/**
 * The broker, one concern per file:
 *
 *   broker.ts          `Broker`: builds the parts below from its options; `handle` routes `$connect`,
 *                      `$disconnect` and `$default`, and never throws; `publish` for the server itself
 *   context.ts         `BrokerOptions`, and what every part shares (ports, limits, clock, History if on)
 *   connections.ts     `$connect` (auth guard, connection record, expiry timer) and `$disconnect`
 *   frame-router.ts    `$default`: parse, resolve access, check permissions and rate, hand the frame on
 *   access.ts          what a connection may do, from the authorizer's context or its stored claims
 *   frame-limiters.ts  the per-connection `publish` and `history` token buckets
 *   subscriptions.ts   `subscribe` (stored, then recovered) and `unsubscribe`
 *   recovery.ts        a subscribe's position and its replay of missed messages from history
 *   history-reader.ts  answers to `history` frames: the newest messages, one frame, bounded in bytes
 *   publisher.ts       publish: checks, history append, inline or sharded fan-out; the `published` ack
 *   expiry-timers.ts   closing connections when their token expires (long-lived processes only)
 *   message-frame.ts   the bytes of a `message` frame, serialized once per publish
 *   replies.ts         route results: replies, errors, acks
 *
 *    broker-hooks.ts    server hooks (docs/hooks.md), run after auth and limits and before any store or history
 *                      write: onConnect in `Connections.connect` after `guardConnect`, before `putConnection`;
 *                      onSubscribe, onPublish and `rpc` in `FrameRouter.dispatch` after each frame's
 *                      permission and rate checks; onDisconnect in `Connections.disconnect` after the records
 *                      go; `POST /publish` through `Broker.backendPublishHook`. Server publishes
 *                      (`Broker.publish`, `ctx.publish`) run no hook.
 *
 * Where what comes next plugs in (not built yet):
 * - Wildcard subscriptions: stored by `Subscriptions.subscribe`; matched at fan-out, where
 *   `Publisher.deliver` reads a topic's subscribers (`fanout` / `Sharding.publish`), and recovery stays per
 *   concrete topic.
 * - Presence: joins and leaves after `Subscriptions.subscribe` / `unsubscribe` succeed and in
 *   `Connections.disconnect`; a presence query is a new case in `FrameRouter.dispatch`.
 */
export { Broker } from './broker.ts';
export type { BrokerOptions } from './context.ts';
export { serializeMessage } from './message-frame.ts';
export type { PublishOptions, PublishResult } from './publisher.ts';
