import { randomBytes, randomUUID } from 'node:crypto';
import type { WebSocketEvent, WebSocketResult } from '../../core/events.ts';
import { normalizeResult, type WebSocketHandler } from './handler.ts';

/**
 * The `context` the Lambda Node.js runtime passes a handler (its documented members). Written out rather
 * than imported from `@types/aws-lambda`, as the event type is; test/runtimes/emulator/lambda-function.test.ts
 * checks at compile time that it is assignable to that package's `Context`.
 */
export interface LambdaContext {
  callbackWaitsForEmptyEventLoop: boolean;
  readonly functionName: string;
  readonly functionVersion: string;
  readonly invokedFunctionArn: string;
  readonly memoryLimitInMB: string;
  readonly awsRequestId: string;
  readonly logGroupName: string;
  readonly logStreamName: string;
  getRemainingTimeInMillis(): number;
  /** Legacy completion methods (still provided by the Node.js runtime). */
  done(error?: Error | string | null, result?: unknown): void;
  fail(error: Error | string): void;
  succeed(result: unknown): void;
}

export type LambdaCallback = (error?: Error | string | null, result?: unknown) => void;

/** A Lambda handler as written for the Node.js runtime: async, or calling `callback`, or both. */
export type LambdaFunction = (
  event: WebSocketEvent,
  context: LambdaContext,
  callback: LambdaCallback,
) => unknown;

export interface LambdaFunctionOptions {
  /** Default `emulated-function`. */
  functionName?: string;
  /** The function's timeout; the runtime stops waiting after it (default 3 s, Lambda's). */
  timeoutMs?: number;
  /** Default 128, Lambda's. */
  memoryLimitInMB?: number;
  /** For the ARN; default `$AWS_REGION`, else `us-east-1`. */
  region?: string;
}

/** A Lambda invocation that ran out of time, with the message the runtime logs. */
export class LambdaTimeoutError extends Error {
  override readonly name = 'LambdaTimeoutError';
}

/** The error the runtime reports when a handler fails with something that is not an Error. */
function asError(error: unknown): Error {
  if (error instanceof Error) return error;
  return new Error(typeof error === 'string' ? error : JSON.stringify(error));
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/**
 * Hosts a Lambda handler behind the emulator as the Node.js runtime calls it: `(event, context, callback)`,
 * the result taken from the returned promise or from `callback` (or `context.done`/`succeed`/`fail`),
 * whichever comes first; a handler that throws, rejects or calls back with an error fails the invocation;
 * one that runs past `timeoutMs` fails with "Task timed out after N seconds".
 *
 * One difference, by necessity: in one process the event loop never empties, so a result given through the
 * callback is used at once whatever `callbackWaitsForEmptyEventLoop` says (on Lambda, `true` would hold the
 * response until pending timers and sockets are done), and a handler that neither returns a promise nor can
 * call back (it declares fewer than three parameters) answers with no result at once, as the runtime does
 * when the event loop empties.
 */
export function lambdaHandler(fn: LambdaFunction, options: LambdaFunctionOptions = {}): WebSocketHandler {
  const functionName = options.functionName ?? 'emulated-function';
  const timeoutMs = options.timeoutMs ?? 3_000;
  const memory = String(options.memoryLimitInMB ?? 128);
  const region = options.region ?? process.env.AWS_REGION ?? 'us-east-1';
  const arn = `arn:aws:lambda:${region}:000000000000:function:${functionName}`;
  // One log stream per "container", as one runtime instance writes to one stream.
  const day = new Date().toISOString().slice(0, 10).replaceAll('-', '/');
  const logStreamName = `${day}/[$LATEST]${randomBytes(16).toString('hex')}`;

  return (event) =>
    new Promise<WebSocketResult | undefined>((resolve, reject) => {
      const deadline = Date.now() + timeoutMs;
      let settled = false;
      const finish = (error: unknown, result?: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (error !== undefined && error !== null) reject(asError(error));
        else resolve(result === undefined || result === null ? undefined : normalizeResult(result));
      };
      const timer = setTimeout(
        () => finish(new LambdaTimeoutError(`Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds`)),
        timeoutMs,
      );
      const context: LambdaContext = {
        callbackWaitsForEmptyEventLoop: true,
        functionName,
        functionVersion: '$LATEST',
        invokedFunctionArn: arn,
        memoryLimitInMB: memory,
        awsRequestId: randomUUID(),
        logGroupName: `/aws/lambda/${functionName}`,
        logStreamName,
        getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
        done: (error, result) => finish(error, result),
        fail: (error) => finish(error ?? new Error('handler failed')),
        succeed: (result) => finish(null, result),
      };
      let returned: unknown;
      try {
        returned = fn(event, context, (error, result) => finish(error, result));
      } catch (error) {
        finish(error ?? new Error('handler threw'));
        return;
      }
      if (isThenable(returned)) {
        returned.then(
          (result) => finish(null, result),
          (error: unknown) => finish(error ?? new Error('handler rejected')),
        );
      } else if (fn.length < 3) {
        finish(null, undefined);
      }
    });
}
