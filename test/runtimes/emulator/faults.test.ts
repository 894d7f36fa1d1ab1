import { join } from 'node:path';
import {
  ApiGatewayManagementApiClient,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { TestClient } from '../local/client.ts';
import { handlersDir, startEmulate } from './emulate-harness.ts';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function emulateGone(extra: string[] = []) {
  const running = await startEmulate([
    '--route',
    `$default=${join(handlersDir, 'chat.ts')}#gone`,
    '--route-response',
    '$default',
    ...extra,
  ]);
  cleanups.push(running.stop);
  const ws = await TestClient.open(running.url);
  cleanups.push(() => ws.close());
  const faultsUrl = running.endpoint.replace(/\/[^/]+$/, '/@emulator/faults');
  return { running, ws, faultsUrl };
}

async function putFaults(url: string, body: unknown): Promise<Response> {
  return fetch(url, { method: 'PUT', body: JSON.stringify(body) });
}

describe('fault injection', () => {
  it('answers a share of posts 410 GoneException from a flag, the connection left open', async () => {
    const { ws } = await emulateGone(['--fault-gone', '1']);
    ws.send('x');
    // The handler's SDK v3 client sees the service's own exception class.
    expect(await ws.nextText()).toBe('failed:GoneException');
    expect(ws.ws.readyState).toBe(WebSocket.OPEN);
  });

  it('changes faults over /@emulator/faults: 429 LimitExceededException, then none', async () => {
    const { ws, faultsUrl } = await emulateGone();
    ws.send('x');
    // The post reaches the client before the route response that follows it.
    expect(await ws.nextText()).toBe('x');
    expect(await ws.nextText()).toBe('posted');

    const set = await putFaults(faultsUrl, { throttleShare: 1 });
    expect(await set.json()).toEqual({ goneShare: 0, throttleShare: 1, latencyMs: 0, disconnectShare: 0 });
    ws.send('x');
    expect(await ws.nextText()).toBe('failed:LimitExceededException');

    await putFaults(faultsUrl, { throttleShare: 0 });
    ws.send('x');
    // The post reaches the client before the route response that follows it.
    expect(await ws.nextText()).toBe('x');
    expect(await ws.nextText()).toBe('posted');

    const refused = await putFaults(faultsUrl, { goneShare: 0.6, throttleShare: 0.6 });
    expect(refused.status).toBe(400);
    expect(await (await fetch(faultsUrl)).json()).toMatchObject({ goneShare: 0, throttleShare: 0 });
  });

  it('adds latency to @connections calls', async () => {
    const running = await startEmulate([
      '--route',
      `$default=${join(handlersDir, 'chat.ts')}#whoami`,
      '--route-response',
      '$default',
      '--fault-latency',
      '300',
    ]);
    cleanups.push(running.stop);
    const ws = await TestClient.open(running.url);
    cleanups.push(() => ws.close());
    ws.send('who');
    const connectionId = await ws.nextText();
    const sdk = new ApiGatewayManagementApiClient({
      endpoint: running.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const started = performance.now();
    await sdk.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: 'late' }));
    // A lower bound only: a busy machine makes it slower, never faster.
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    expect(await ws.nextText()).toBe('late');
  });

  it('drops connections on a share of client messages (forced disconnects)', async () => {
    const { ws, faultsUrl } = await emulateGone();
    await putFaults(faultsUrl, { disconnectShare: 1 });
    ws.send('x');
    expect((await ws.closed).code).toBe(1006);
  });
});
