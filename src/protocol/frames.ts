/**
 * Protocol v1 frame types (docs/protocol.md). Types only: the browser client imports this file without
 * pulling in the validator.
 */
import type { DisconnectReason, ErrorCode } from './codes.ts';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** Client-chosen correlation id, echoed in the reply to the frame that carried it. */
export type FrameId = string | number;

// ---- client -> server ----

export interface SubscribeFrame {
  type: 'subscribe';
  topic: string;
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

/** Every frame a client may send, after seed frames are normalized. */
export type ClientFrame = SubscribeFrame | UnsubscribeFrame | PublishFrame | PingFrame;

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
}

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

export type ServerFrame =
  | MessageFrame
  | SubscribedFrame
  | UnsubscribedFrame
  | PublishedFrame
  | PongFrame
  | ErrorFrame
  | DisconnectFrame;
