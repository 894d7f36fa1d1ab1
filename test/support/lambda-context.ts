import type { Context } from 'aws-lambda';
import type { WebSocketEvent } from '../../src/core/index.ts';

/** A Lambda `Context` as the runtime passes it, for calling handlers outside Lambda. */
export function lambdaContext(event: WebSocketEvent, functionName = 'topicsocket-websocket'): Context {
  const deadline = Date.now() + 29_000;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: `lambda-${event.requestContext.requestId}`,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: '2026/11/30/[$LATEST]local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}
