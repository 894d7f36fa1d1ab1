import { TopicsocketError } from './errors.ts';
import type { Message, MessageListener, MessageStream, Unsubscribe } from './types.ts';

/** Attaches a listener to a topic; `onEnd` runs when the subscription ends without the stream ending it. */
export type AttachListener<T> = (
  listener: MessageListener<T>,
  onEnd: (error?: TopicsocketError) => void,
) => Unsubscribe;

/**
 * An async iterator over a topic's messages, backed by an ordinary listener and a bounded buffer. It ends
 * cleanly on `break`/`return()` and on `client.close()`, and throws when the server refuses the topic.
 */
export function createMessageStream<T>(
  topic: string,
  maxBuffered: number,
  attach: AttachListener<T>,
  report: (error: TopicsocketError) => void,
): MessageStream<T> {
  const buffer: Message<T>[] = [];
  let reader:
    | { resolve: (result: IteratorResult<Message<T>, undefined>) => void; reject: (error: unknown) => void }
    | undefined;
  let finished = false;
  let failure: TopicsocketError | undefined;

  const finish = (error?: TopicsocketError): void => {
    if (finished) return;
    finished = true;
    failure = error;
    unsubscribe?.();
    if (reader) {
      const pending = reader;
      reader = undefined;
      if (error && buffer.length === 0) pending.reject(error);
      else pending.resolve({ value: undefined, done: true });
    }
  };

  let unsubscribe: Unsubscribe | undefined;
  unsubscribe = attach((message) => {
    if (finished) return;
    if (reader) {
      const pending = reader;
      reader = undefined;
      pending.resolve({ value: message, done: false });
      return;
    }
    buffer.push(message);
    if (buffer.length > maxBuffered) {
      buffer.shift();
      report(
        new TopicsocketError('buffer_overflow', `message stream for "${topic}" dropped its oldest message`, {
          topic,
        }),
      );
    }
  }, finish);
  // `attach` may have ended the subscription before it returned (a closed client).
  if (finished) unsubscribe();

  const stream: MessageStream<T> = {
    topic,
    ready: unsubscribe.ready,
    next() {
      const message = buffer.shift();
      if (message) return Promise.resolve({ value: message, done: false });
      if (finished) {
        if (failure) {
          const error = failure;
          failure = undefined;
          return Promise.reject(error);
        }
        return Promise.resolve({ value: undefined, done: true });
      }
      if (reader)
        return Promise.reject(new Error('MessageStream.next() called while a previous call is pending'));
      return new Promise((resolve, reject) => {
        reader = { resolve, reject };
      });
    },
    return() {
      buffer.length = 0;
      finish();
      failure = undefined;
      return Promise.resolve({ value: undefined, done: true });
    },
    [Symbol.asyncIterator]() {
      return stream;
    },
  };
  return stream;
}
