import type { Context } from 'aws-lambda';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { Routes as DeployedRoutes, RouteSelectionExpression } from '../../../deploy/model/index.ts';
import type { WebSocketEvent } from '../../../src/core/index.ts';
import { type LambdaContext, lambdaHandler } from '../../../src/runtimes/emulator/lambda-function.ts';
import { Router, selectionPath, selectRouteKey } from '../../../src/runtimes/emulator/routes.ts';
import { topicsocketRoutes } from '../../../src/runtimes/local/index.ts';

const event = { requestContext: { routeKey: '$default' } } as unknown as WebSocketEvent;

describe('route selection expressions', () => {
  it('reads $request.body paths in both spellings, and refuses anything else', () => {
    expect(selectionPath('$request.body.action')).toEqual(['action']);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: API Gateway's braced spelling, not a template
    expect(selectionPath('${request.body.action}')).toEqual(['action']);
    expect(selectionPath('$request.body.data.kind')).toEqual(['data', 'kind']);
    expect(selectionPath("$request.body['my key']")).toEqual(['my key']);
    for (const bad of ['$request.header.x', 'action', '$request.body', '${request.body.action']) {
      expect(() => selectionPath(bad), bad).toThrow(/\$request\.body/);
    }
  });

  it('stringifies what it selects; no value, null or a body that is not JSON select nothing', () => {
    expect(selectRouteKey(['action'], '{"action":"join"}')).toBe('join');
    expect(selectRouteKey(['action'], '{"action":7}')).toBe('7');
    expect(selectRouteKey(['action'], '{"action":true}')).toBe('true');
    expect(selectRouteKey(['data', 'kind'], '{"data":{"kind":"x"}}')).toBe('x');
    expect(selectRouteKey(['action'], '{"action":null}')).toBeUndefined();
    expect(selectRouteKey(['action'], '{}')).toBeUndefined();
    expect(selectRouteKey(['action'], 'hello')).toBeUndefined();
    expect(selectRouteKey(['action'], '["action"]')).toBeUndefined();
    // An inherited property is not in the message.
    expect(selectRouteKey(['toString'], '{}')).toBeUndefined();
  });

  it('falls back to $default, and has no route when there is none', () => {
    const handler = async () => undefined;
    const withDefault = new Router({
      selectionExpression: '$request.body.action',
      routes: { join: { handler }, $default: { handler } },
    });
    expect(withDefault.message('{"action":"join"}')?.key).toBe('join');
    expect(withDefault.message('{"action":"leave"}')?.key).toBe('$default');
    // A message cannot pick a predefined route by naming it.
    expect(withDefault.message('{"action":"$connect"}')?.key).toBe('$default');
    const without = new Router({
      selectionExpression: '$request.body.action',
      routes: { join: { handler } },
    });
    expect(without.message('{"action":"leave"}')).toBeUndefined();
    expect(without.lifecycle('$connect')).toBeUndefined();
  });
});

describe("the dev server's routes are the deployed stack's", () => {
  it('same selection expression, route keys, targets and route responses', () => {
    const table = topicsocketRoutes(async () => undefined);
    expect(table.selectionExpression).toBe(RouteSelectionExpression);
    const local = Object.entries(table.routes).map(([key, route]) => ({
      key,
      target: 'mock' in route ? 'pong-mock' : 'function',
      routeResponse: 'mock' in route ? true : route.routeResponse === true,
    }));
    expect(local).toEqual(
      [...DeployedRoutes].map(({ key, target, routeResponse }) => ({ key, target, routeResponse })),
    );
  });
});

describe('the Lambda context', () => {
  it('is the runtime Context type of @types/aws-lambda', () => {
    expectTypeOf<LambdaContext>().toExtend<Context>();
  });

  it('counts down getRemainingTimeInMillis from the timeout, and times out as Lambda reports it', async () => {
    let remaining: number[] = [];
    const handler = lambdaHandler(
      async (_event, context) => {
        remaining.push(context.getRemainingTimeInMillis());
        await new Promise((resolve) => setTimeout(resolve, 30));
        remaining.push(context.getRemainingTimeInMillis());
        return { statusCode: 200, body: 'ok' };
      },
      { timeoutMs: 2_000 },
    );
    expect(await handler(event)).toEqual({ statusCode: 200, body: 'ok' });
    expect(remaining[0]).toBeLessThanOrEqual(2_000);
    expect(remaining[1]).toBeLessThan(remaining[0] as number);
    remaining = [];
    const slow = lambdaHandler(() => new Promise(() => {}), { timeoutMs: 50 });
    await expect(slow(event)).rejects.toThrow('Task timed out after 0.05 seconds');
  });

  it('takes the first of callback, context.succeed/fail and the returned promise', async () => {
    expect(await lambdaHandler((_e, _c, callback) => callback(null, 'body'))(event)).toEqual({
      statusCode: 200,
      body: 'body',
    });
    expect(await lambdaHandler((_e, context) => context.succeed({ statusCode: 204 }), {})(event)).toEqual({
      statusCode: 204,
    });
    await expect(lambdaHandler((_e, context) => context.fail('nope'))(event)).rejects.toThrow('nope');
    await expect(
      lambdaHandler(() => {
        throw new TypeError('thrown');
      })(event),
    ).rejects.toThrow('thrown');
    await expect(lambdaHandler(async () => Promise.reject({ code: 1 }))(event)).rejects.toThrow('{"code":1}');
    // A handler that returns a plain value and cannot call back answers with no result, as the runtime does.
    expect(await lambdaHandler((() => ({ statusCode: 500 })) as () => unknown)(event)).toBeUndefined();
  });
});
