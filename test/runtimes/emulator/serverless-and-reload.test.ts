import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { readServerlessService } from '../../../src/cli/emulate/serverless-service.ts';
import { TestClient } from '../local/client.ts';
import { emulateFails, handlersDir, startEmulate } from './emulate-harness.ts';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

const service = join(handlersDir, 'service', 'serverless.yml');

describe('emulate --serverless', () => {
  it('reads the websocket functions, routes and settings of a service', async () => {
    const api = await readServerlessService(service);
    expect(api.selectionExpression).toBe('$request.body.op');
    expect(
      api.routes.map((route) => [
        route.key,
        route.function.exportName,
        route.routeResponse,
        route.function.name,
      ]),
    ).toEqual([
      ['$connect', 'connection', false, 'chat-sample-dev-connection'],
      ['$disconnect', 'connection', false, 'chat-sample-dev-connection'],
      ['hello', 'hello', true, 'chat-sample-dev-hello'],
      ['quiet', 'hello', false, 'chat-sample-dev-quiet'],
    ]);
    const hello = api.routes.find((route) => route.key === 'hello');
    expect(hello?.function).toMatchObject({ timeoutMs: 5000, memoryLimitInMB: 1024 });
    expect(api.routes[0]?.function).toMatchObject({ timeoutMs: 2000, memoryLimitInMB: 256 });
    expect(api.environment).toEqual({ GREETING: 'hello' });
    expect(api.notes).toEqual(['provider.environment.TABLE is not a literal: left unset']);
  });

  it('serves the service: its selection expression, two-way routes only where configured, its environment', async () => {
    const running = await startEmulate(['--serverless', service]);
    cleanups.push(running.stop);
    const ws = await TestClient.open(running.url);
    cleanups.push(() => ws.close());
    expect(await ws.request({ op: 'hello' })).toMatchObject({
      route: 'hello',
      greeting: 'hello',
      functionName: 'chat-sample-dev-hello',
      memoryLimitInMB: '1024',
    });
    // `quiet` runs the same code without a route response: nothing comes back. `nope` has no route and the
    // service no $default: Forbidden, which is the next frame the client receives.
    ws.send({ op: 'quiet' });
    expect(await ws.request({ op: 'nope' })).toMatchObject({ message: 'Forbidden' });
    expect(process.env.GREETING).toBe('hello');
    expect(await running.stop()).toBe(0);
    // The service's environment is gone with the emulator.
    expect(process.env.GREETING).toBeUndefined();
  });

  it('says which file and line of a broken serverless.yml is wrong', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'emulate-sls-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    await writeFile(join(dir, 'serverless.yml'), 'service: x\nfunctions:\n  a: [unclosed\n');
    const { code, lines } = await emulateFails(['--serverless', join(dir, 'serverless.yml')]);
    expect(code).toBe(1);
    expect(lines[0]).toMatch(/serverless\.yml:\d+:\d+: /);
  });
});

describe('emulate reloads handler code on change', () => {
  it('runs the new code on the connections that stayed open', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'emulate-reload-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const file = join(dir, 'handler.mjs');
    const version = (n: number) =>
      `export const handler = async (event) => ({ statusCode: 200, body: event.requestContext.routeKey === '$default' ? 'v${n}' : undefined });\n`;
    await writeFile(file, version(1));
    const running = await startEmulate(['--handler', file, '--route-response', '$default']);
    cleanups.push(running.stop);
    const ws = await TestClient.open(running.url);
    cleanups.push(() => ws.close());
    ws.send('x');
    expect(await ws.nextText()).toBe('v1');
    const reloaded = running.printed(/^reloaded /);
    await writeFile(file, version(2));
    expect(await reloaded).toContain('connections kept');
    ws.send('x');
    expect(await ws.nextText()).toBe('v2');
    expect(ws.ws.readyState).toBe(WebSocket.OPEN);

    // Code that no longer exports the handler is refused; the previous code keeps serving.
    const refused = running.printed(/not reloaded/);
    await writeFile(file, 'export const other = 1;\n');
    expect(await refused).toMatch(/no function export "handler"/);
    ws.send('x');
    expect(await ws.nextText()).toBe('v2');
  });
});
