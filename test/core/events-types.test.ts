import type { APIGatewayProxyWebsocketEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { RequestContext, WebSocketEvent } from '../../src/core/index.ts';

/** `true` only when every `From` is a `To`; checked by `tsc` in `npm run check`, which covers test/. */
type Assignable<From, To> = [From] extends [To] ? true : false;

// The core's own event type must accept what Lambda's typings describe, and be accepted where they are
// expected: a handler typed with either works with the other.
const fromAws: Assignable<APIGatewayProxyWebsocketEventV2, WebSocketEvent> = true;
const toAws: Assignable<WebSocketEvent, APIGatewayProxyWebsocketEventV2> = true;
const contextFromAws: Assignable<APIGatewayProxyWebsocketEventV2['requestContext'], RequestContext> = true;
const contextToAws: Assignable<RequestContext, APIGatewayProxyWebsocketEventV2['requestContext']> = true;

describe('WebSocketEvent', () => {
  it('is assignable to and from @types/aws-lambda APIGatewayProxyWebsocketEventV2 (compile time)', () => {
    expect([fromAws, toAws, contextFromAws, contextToAws]).toEqual([true, true, true, true]);
  });
});
