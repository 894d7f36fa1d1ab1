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
 *   presence-reader.ts answers to `presence` frames: one page of members, capped, ghosts checked and removed
 *   presence-events.ts `join` / `leave` / `presence_resync` to a topic's members, capped per topic and second
 *   publisher.ts       publish: checks, history append, inline or sharded fan-out; the `published` ack
 *   expiry-timers.ts   closing connections when their token expires (long-lived processes only)
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
 * - Server hooks (built, core/hooks) run after auth and limits and before any store or history write:
 *   onConnect in `Connections.connect` after `guardConnect` allows, before `putConnection`;
 *   onSubscribe, onPublish in `FrameRouter.dispatch` after each frame's permission and rate checks, before
 *   `Subscriptions.subscribe` / `Publisher.publishFrame` (server publishes through `Broker.publish` skip
 *   client hooks); onDisconnect in `Connections.disconnect` (it runs for gone connections too, never
 *   refuses); an `rpc` frame is a new case in `FrameRouter.dispatch` with its own check, answered by a reply.
 * - Wildcard subscriptions (built): stored by `Subscriptions.subscribe` like a topic; matched by the store
 *   when the fan-out reads a topic's receivers (Store.subscribers / subscriberPage merge the topic's and the
 *   matching patterns' subscribers, each connection once), and recovered per concrete topic (`positions`).
 * - Presence (built): joins and leaves after `Subscriptions.subscribe` / `unsubscribe` succeed, in
 *   `Connections.disconnect`, and for connections a fan-out removes (FanoutDeps.onRemoved); the `presence`
 *   query is a case in `FrameRouter.dispatch`.
 */
export { Broker } from './broker.ts';
export type { BrokerOptions } from './context.ts';
export type { PublishOptions, PublishResult } from './publisher.ts';
