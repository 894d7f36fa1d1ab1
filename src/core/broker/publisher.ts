import {
  exceedsJsonDepth,
  InputLimits,
  type JsonValue,
  ProtocolError,
  type PublishFrame,
  type ServerFrame,
  type StreamPosition,
  topicProblem,
  utf8Length,
} from '../../protocol/index.ts';
import type { WebSocketResult } from '../events.ts';
import { type FanoutResult, fanout } from '../fanout.ts';
import type { Sharding } from '../sharding/broker-sharding.ts';
import type { Access } from './access.ts';
import type { BrokerContext } from './context.ts';
import { LARGEST_POSITION, messageFrame } from './message-frame.ts';
import { ack } from './replies.ts';

export interface PublishResult extends FanoutResult {
  topic: string;
  /** The message's position in the topic's stream, when history is on. */
  offset?: number;
  epoch?: string;
  /** The idempotency key was seen before: nothing was stored or delivered again. */
  duplicate?: true;
  /** The fan-out was handed to workers in this many shards: the counts above are then all 0. */
  scheduled?: number;
}

export interface PublishOptions {
  /** A retried publish with the same key (per topic, within the history age) is stored and delivered once. */
  idempotencyKey?: string;
}

/** A publish: checked, appended to history when it is on, then fanned out inline or through the shards. */
export class Publisher {
  constructor(
    private readonly context: BrokerContext,
    /** Absent: every publish fans out inline. */
    private readonly sharding: Sharding | undefined,
  ) {}

  async publish(topic: string, data: JsonValue, options: PublishOptions = {}): Promise<PublishResult> {
    // `data` is serialized once per publish; the frame around it is spliced, with and without the position.
    const { dataJson, unplaced } = this.prepare(topic, data);
    const { history, metrics } = this.context;
    let frame = unplaced;
    let position: StreamPosition | undefined;
    if (history) {
      // Appended BEFORE the subscribers are read: a subscription this fan-out misses was stored after the
      // append, so its own history read (after storing it) finds this message. See docs/history.md.
      const appended = await history.store.append(topic, data, {
        retention: history.retention,
        json: dataJson,
        ...(options.idempotencyKey === undefined ? {} : { idempotencyKey: options.idempotencyKey }),
      });
      position = { epoch: appended.epoch, offset: appended.offset };
      frame = messageFrame(topic, dataJson, position);
      if (appended.duplicate) {
        // Stored once. Its fan-out runs again, with the first attempt's offset: if that attempt failed after
        // storing, live subscribers still get it, and clients drop it by offset if they had it already.
        metrics.count('duplicatePublishes');
        const again = await this.deliver(topic, frame, position);
        return { topic, ...again, ...position, duplicate: true };
      }
    }
    metrics.count('publishes');
    const result = await this.deliver(topic, frame, position);
    return { topic, ...result, ...position };
  }

  /** A client's `publish` frame, once allowed: published, and acked with what happened to it. */
  async publishFrame(frame: PublishFrame, access: Access): Promise<WebSocketResult> {
    const result = await this.publish(
      frame.topic,
      frame.data,
      // Scoped to the caller: another user's publish with the same key is not a duplicate of this one.
      frame.idempotencyKey === undefined
        ? {}
        : { idempotencyKey: `ws\u0000${access.principal()}\u0000${frame.idempotencyKey}` },
    );
    const published: ServerFrame = { type: 'published', topic: frame.topic };
    if (result.offset !== undefined) published.offset = result.offset;
    if (result.epoch !== undefined) published.epoch = result.epoch;
    if (result.duplicate) published.duplicate = true;
    if (result.scheduled !== undefined) published.scheduled = true;
    // The ack never claims a delivery that did not happen (docs/protocol.md).
    if (result.failed + result.abandoned > 0 || result.truncated) {
      published.undelivered = Math.max(1, result.failed + result.abandoned);
    }
    return ack(published, frame.id);
  }

  /** Throws the ProtocolError `publish` would throw (topic, nesting, size) without storing or sending. */
  assertPublishable(topic: string, data: JsonValue): void {
    this.prepare(topic, data);
  }

  private prepare(topic: string, data: JsonValue): { dataJson: string; unplaced: string } {
    const problem = topicProblem(topic);
    if (problem) throw new ProtocolError('invalid_topic', problem);
    // The frame around `data` is one level: `data` itself may nest one level less than a frame.
    if (exceedsJsonDepth(data, InputLimits.maxJsonDepth - 1)) {
      throw new ProtocolError('bad_frame', `data nests deeper than ${InputLimits.maxJsonDepth - 1} levels`);
    }
    const dataJson = JSON.stringify(data);
    const maxMessageBytes = this.context.limits.maxMessageBytes;
    // Sized with room for the position fields, so a message accepted here is never too large once placed.
    const unplaced = messageFrame(topic, dataJson, this.context.history ? LARGEST_POSITION : undefined);
    if (utf8Length(unplaced) > maxMessageBytes) {
      throw new ProtocolError('payload_too_large', `message is larger than ${maxMessageBytes} bytes`);
    }
    return { dataJson, unplaced };
  }

  /** Inline, or through the shard queue for a big topic when sharding is on. */
  private deliver(
    topic: string,
    frame: string,
    position: StreamPosition | undefined,
  ): Promise<FanoutResult & { scheduled?: number }> {
    return this.sharding
      ? this.sharding.publish(topic, frame, position)
      : fanout(this.context.fanoutDeps(), topic, frame);
  }
}
