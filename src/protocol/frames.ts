/**
 * Protocol v1 frame types (docs/protocol.md). Types only: the browser client imports this file without
 * pulling in the validator.
 */
import type { DisconnectReason, ErrorCode } from './codes.ts';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** Client-chosen correlation id, echoed in the reply to the frame that carried it. */
export type FrameId = string | number;

// ---- client -> server ----

/** A position in a topic's stream: `epoch` names the stream, `offset` counts its messages from 1. */
export interface StreamPosition {
  epoch: string;
  offset: number;
}

export interface SubscribeFrame {
  type: 'subscribe';
  /** A topic, or a pattern (`orders/*`, `*`: pattern.ts) that receives every topic under its prefix. */
  topic: string;
  /** The last position the client saw: the server replays what came after it, or answers `recovered: false`. */
  since?: StreamPosition;
  /**
   * Only with a pattern: the last position seen in each concrete topic under it, each recovered as `since`
   * would be (at most InputLimits.maxPatternPositions).
   */
  positions?: { [topic: string]: StreamPosition };
  /** Only with a topic: become a presence member of it, and receive its `join`/`leave` events. */
  presence?: boolean;
  id?: FrameId;
}

/** Asks for one page of a topic's presence members (at most `limit`, default and cap: the server's). */
export interface PresenceRequestFrame {
  type: 'presence';
  topic: string;
  /** The `next` of the previous page. */
  after?: string;
  limit?: number;
  id?: FrameId;
}

/** Asks for the most recent messages of a topic (at most `limit`, default and cap: the server's). */
export interface HistoryRequestFrame {
  type: 'history';
  topic: string;
  limit?: number;
  id?: FrameId;
}

export interface UnsubscribeFrame {
  type: 'unsubscribe';
  topic: string;
  id?: FrameId;
}

export interface PublishFrame {
  type: 'publish';
  topic: string;
  data: JsonValue;
  /** A retried publish with the same key (per topic, within the history age) is stored and delivered once. */
  idempotencyKey?: string;
  id?: FrameId;
}

export interface PingFrame {
  type: 'ping';
  id?: FrameId;
}

/** The seed article's publish frame, accepted unchanged and read as a `publish` of `message`. */
export interface SeedMessageFrame {
  type: 'message';
  topic: string;
  message: JsonValue;
  id?: FrameId;
}

/**
 * Calls one of the server's RPC methods (docs/hooks.md); answered to this connection alone with a `result`
 * carrying the same `id`, or an `error` (`unknown_method`, the method's refusal, `internal_error`,
 * `hook_timeout`). The `id` is required: a call is always answered.
 */
export interface RpcFrame {
  type: 'rpc';
  method: string;
  params?: JsonValue;
  id: FrameId;
}

/** Every frame a client may send, after seed frames are normalized. */
export type ClientFrame =
  | SubscribeFrame
  | UnsubscribeFrame
  | PublishFrame
  | PingFrame
  | HistoryRequestFrame
  | PresenceRequestFrame
  | RpcFrame;

// ---- server -> client ----

/** A message delivered to a subscriber. `offset`/`epoch` locate it in the topic's stream when history is on. */
export interface MessageFrame<T extends JsonValue = JsonValue> {
  type: 'message';
  topic: string;
  data: T;
  offset?: number;
  epoch?: string;
}

export interface SubscribedFrame {
  type: 'subscribed';
  topic: string;
  id?: FrameId;
  /**
   * With history on: whether every message after `since` was replayed (sent before this ack). Absent when
   * the subscribe had no `since`. `false`: history no longer reaches back, or the stream was reset (other
   * epoch); the subscription is live all the same.
   */
  recovered?: boolean;
  /**
   * Only with `recovered: false` because `since` named another epoch (the stream was reset since the
   * client's position: a memory-store server restarted, a table was recreated). Every message of the current
   * epoch is newer than anything the client saw, so the server replays it from its start:
   * `replayed`: the current epoch still held its offset 1 and all of it was sent before this ack, so only the
   * old epoch's messages after `since`, if there were any, are lost. `history_exceeded`: the current epoch
   * has already outgrown history too; nothing was replayed (never a partial replay).
   */
  reset?: EpochReset;
  /** The stream's epoch and its top offset when the subscription took effect. */
  epoch?: string;
  offset?: number;
  /** A pattern subscribe with `positions`: how each listed topic was recovered (`recovered`: all of them). */
  positions?: { [topic: string]: TopicRecovery };
}

/** One concrete topic's recovery under a pattern subscription: what `subscribed` says for a topic. */
export interface TopicRecovery {
  epoch: string;
  offset: number;
  recovered: boolean;
  reset?: EpochReset;
}

/** What a `subscribed` ack did with the current epoch when `since` named an older one. */
export type EpochReset = 'replayed' | 'history_exceeded';

export interface UnsubscribedFrame {
  type: 'unsubscribed';
  topic: string;
  id?: FrameId;
}

export interface PublishedFrame {
  type: 'published';
  topic: string;
  id?: FrameId;
  offset?: number;
  epoch?: string;
  /** True when the idempotency key was seen before: nothing was stored or delivered again. */
  duplicate?: boolean;
  /**
   * True when the topic was big enough for the sharded fan-out: the message is stored and its delivery is
   * scheduled on workers, not finished (docs/protocol.md, "What an ack means").
   */
  scheduled?: boolean;
  /**
   * Subscribers this fan-out did not reach (their connection kept failing, or throttling outlasted the
   * budget); each is counted in metrics and logged. Absent: every live subscriber was delivered.
   */
  undelivered?: number;
}

/** Answer to `history`: the most recent retained messages, oldest first. */
export interface HistoryFrame {
  type: 'history';
  topic: string;
  epoch: string;
  /** The stream's top offset. */
  offset: number;
  messages: Array<{ offset: number; data: JsonValue }>;
  id?: FrameId;
}

/** A presence member as frames show it (docs/protocol.md, "Presence"). */
export interface PresenceMemberInfo {
  connectionId: string;
  /** The `user` data `onConnect` attached to the connection. */
  user?: JsonValue;
  /** The token claims the server shows in presence. */
  claims?: { [key: string]: JsonValue };
}

/** Answer to `presence`: one page of members, ascending by connection id. */
export interface PresenceFrame {
  type: 'presence';
  topic: string;
  members: PresenceMemberInfo[];
  /** Pass it back as `after` for the next page; absent on the last. */
  next?: string;
  id?: FrameId;
}

/** To a topic's members: a connection became a member. */
export interface JoinFrame {
  type: 'join';
  topic: string;
  member: PresenceMemberInfo;
}

/** To a topic's members: a member left (unsubscribed, disconnected, found gone). */
export interface LeaveFrame {
  type: 'leave';
  topic: string;
  connectionId: string;
}

/** To a topic's members: more joins and leaves than the per-second cap happened; read presence again. */
export interface PresenceResyncFrame {
  type: 'presence_resync';
  topic: string;
}

export interface PongFrame {
  type: 'pong';
  id?: FrameId;
}

export interface ErrorFrame {
  type: 'error';
  code: ErrorCode;
  message: string;
  retryable: boolean;
  id?: FrameId;
}

/** Sent just before the server ends a connection, so the client knows why and whether to come back. */
export interface DisconnectFrame {
  type: 'disconnect';
  reason: DisconnectReason;
  message: string;
  reconnect: boolean;
}

/** The answer to an `rpc` frame: what the method returned (`null` when it returned nothing). */
export interface ResultFrame {
  type: 'result';
  id: FrameId;
  result: JsonValue;
}

/** Data a server hook sent to this connection alone (`ctx.send`), outside any topic. */
export interface DirectFrame {
  type: 'direct';
  data: JsonValue;
}

export type ServerFrame =
  | ResultFrame
  | DirectFrame
  | MessageFrame
  | SubscribedFrame
  | UnsubscribedFrame
  | PublishedFrame
  | HistoryFrame
  | PresenceFrame
  | JoinFrame
  | LeaveFrame
  | PresenceResyncFrame
  | PongFrame
  | ErrorFrame
  | DisconnectFrame;
