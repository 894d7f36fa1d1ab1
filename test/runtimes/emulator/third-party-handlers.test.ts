import { join } from 'node:path';
import { ApiGatewayManagementApiClient, GetConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { TestClient } from '../local/client.ts';
import { emulateFails, handlersDir, startEmulate } from './emulate-harness.ts';

const stops: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (stops.length > 0) await stops.pop()?.();
});

async function emulate(args: string[]) {
  const running = await startEmulate(args);
  stops.push(running.stop);
  return running;
}

async function client(url: string): Promise<TestClient> {
  const opened = await TestClient.open(url);
  stops.push(() => opened.close());
  return opened;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('topicsocket emulate hosts Lambdas written for the Node.js runtime', () => {
  it('runs a callback-style CommonJS handler with a Lambda context', async () => {
    const { url } = await emulate([
      '--handler',
      join(handlersDir, 'callback-style.cjs'),
      '--route-response',
      '$default',
      '--memory',
      '512',
    ]);
    const ws = await client(url);
    const reply = await ws.request('hi');
    expect(reply).toMatchObject({
      routeKey: '$default',
      functionName: 'callback-style',
      memoryLimitInMB: '512',
      waits: true,
      echo: 'hi',
    });
    expect(reply.awsRequestId).toMatch(UUID);
    // The default timeout is Lambda's 3 s; some of it was spent.
    expect(reply.remainingMs).toBeGreaterThan(0);
    expect(reply.remainingMs).toBeLessThanOrEqual(3000);
    const again = await ws.request('hi');
    expect(again.awsRequestId).not.toBe(reply.awsRequestId);
  });

  it('fails an invocation whose callback gets an error, as API Gateway reports it', async () => {
    const { url } = await emulate(['--route', `$default=${join(handlersDir, 'callback-style.cjs')}#fails`]);
    const ws = await client(url);
    expect(await ws.request('x')).toMatchObject({ message: 'Internal server error' });
  });

  it('gives an async ES module handler its context on $connect, and honours --timeout', async () => {
    const { url } = await emulate([
      '--handler',
      join(handlersDir, 'async-context.mjs'),
      '--route-response',
      '$default',
      '--timeout',
      '1',
    ]);
    const ws = await client(url);
    const reply = await ws.request('fast');
    expect(reply.connectRequestIds).toBeGreaterThanOrEqual(1);
    expect(reply.remainingMs).toBeGreaterThan(0);
    expect(reply.remainingMs).toBeLessThanOrEqual(1000);
    // Past the function's timeout the invocation fails; the connection stays.
    expect(await ws.request('slow')).toMatchObject({ message: 'Internal server error' });
    expect(await ws.request('fast')).toHaveProperty('remainingMs');
  });

  it('routes custom route keys, answers unmatched messages Forbidden, and sends bodies only on two-way routes', async () => {
    const chat = join(handlersDir, 'chat.ts');
    const { url, endpoint } = await emulate([
      '--route',
      `sendmessage=${chat}#send`,
      '--route',
      `echo=${chat}#echo`,
      '--route-response',
      'echo',
    ]);
    const ws = await client(url);
    // sendmessage answers through @connections with SDK v3 (GetConnection, then PostToConnection); its
    // returned body is dropped, as the route has no route response.
    expect(await ws.request({ action: 'sendmessage', text: 'hello' })).toEqual({
      text: 'hello',
      userAgent: '',
    });
    ws.send({ action: 'echo' });
    expect(await ws.nextText()).toBe('echo:{"action":"echo"}');
    // No route and no $default: API Gateway's error frame; the connection stays open.
    const unmatched = await ws.request({ action: 'nope' });
    expect(unmatched).toMatchObject({ message: 'Forbidden' });
    expect(typeof unmatched.connectionId).toBe('string');
    expect(typeof unmatched.requestId).toBe('string');
    expect(await ws.request('not json')).toMatchObject({ message: 'Forbidden' });
    expect(ws.ws.readyState).toBe(WebSocket.OPEN);
    // The SDK reaches the same endpoint from outside a handler too.
    const sdk = new ApiGatewayManagementApiClient({
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    await expect(sdk.send(new GetConnectionCommand({ ConnectionId: 'bm9uZQ==' }))).rejects.toMatchObject({
      name: 'GoneException',
    });
  });

  it('refuses a module without the named export, saying what it exports', async () => {
    const { code, lines } = await emulateFails(['--handler', `${join(handlersDir, 'chat.ts')}#missing`]);
    expect(code).toBe(1);
    expect(lines.join('\n')).toMatch(/no function export "missing" \(it exports .*send/);
  });

  it('answers usage mistakes with exit code 2', async () => {
    for (const argv of [
      [],
      ['--handler', 'a.js', '--serverless', 'serverless.yml'],
      ['--route', 'nokey'],
      ['--handler', 'a.js', '--route-selection', '$request.header.x'],
      ['--handler', 'a.js', '--fault-gone', '2'],
      ['--handler', 'a.js', '--timeout', '0'],
      ['--handler', 'a.js', '--route-response', 'other'],
    ]) {
      const { code, lines } = await emulateFails(argv);
      expect(code, argv.join(' ')).toBe(2);
      expect(lines[0]).toMatch(/^topicsocket emulate: .*--help/);
    }
  });
});
