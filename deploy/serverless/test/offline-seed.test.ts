/**
 * The seed article's setup, with topicsocket's handler: the handler runs under serverless-offline against
 * DynamoDB Local, and the article's two `ws` clients (one publishes `{type:"message"}` frames to "general",
 * the other subscribes to it) exchange messages through it.
 *
 * serverless-offline is not API Gateway (field notes §4.4); what differs for this service is asserted or
 * noted here and in docs/deploy.md.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { AuthEnvironment, LambdaEnvironment } from '../../../src/core/config-env.ts';
import { ensureTable } from '../../../src/stores/dynamodb/ensure-table.ts';
import { tableModel } from '../../model/index.ts';
import { type DynamoDbLocal, startDynamoDbLocal } from '../lib/dynamodb-local.ts';
import { offlineEnv } from '../lib/serverless-cli.ts';
import { type ServerlessOffline, startServerlessOffline } from './serverless-offline.ts';

let dynamo: DynamoDbLocal | undefined;
let offline: ServerlessOffline | undefined;
const sockets: WebSocket[] = [];

beforeAll(async () => {
  dynamo = await startDynamoDbLocal();
  const client = new DynamoDBClient({
    endpoint: dynamo.endpoint,
    region: 'us-east-1',
    credentials: {
      accessKeyId: offlineEnv.AWS_ACCESS_KEY_ID!,
      secretAccessKey: offlineEnv.AWS_SECRET_ACCESS_KEY!,
    },
  });
  // The table serverless.yml names for stage "local", created from the same design.
  await ensureTable(client, tableModel('serverless', 'local').name);
  client.destroy();
  // The seed's clients carry no token: this test runs the handler with auth open.
  offline = await startServerlessOffline({
    [LambdaEnvironment.dynamodbEndpoint]: dynamo.endpoint,
    [AuthEnvironment.mode]: 'open',
  });
});

afterAll(async () => {
  for (const socket of sockets) socket.terminate();
  await offline?.stop();
  await dynamo?.stop();
});

/** Opens a client the way the seed does (`perMessageDeflate: false`) and records every frame it gets. */
async function seedClient(): Promise<{ socket: WebSocket; frames: unknown[]; next(): Promise<unknown> }> {
  const socket = new WebSocket(offline!.webSocketUrl, { perMessageDeflate: false });
  sockets.push(socket);
  const frames: unknown[] = [];
  const waiters: ((frame: unknown) => void)[] = [];
  socket.on('message', (data) => {
    const frame = JSON.parse(data.toString());
    frames.push(frame);
    for (const waiter of waiters.splice(0)) waiter(frame);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', (error) => reject(new Error(`${error.message}\n${offline?.output()}`)));
  });
  return { socket, frames, next: () => new Promise((resolve) => waiters.push(resolve)) };
}

function until<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms\n${offline?.output()}`)), ms),
    ),
  ]);
}

describe('seed clients against the handler under serverless-offline + DynamoDB Local', () => {
  it('delivers ws1\'s {type:"message"} publishes to ws2, which subscribed to "general"', async () => {
    const ws2 = await seedClient();
    ws2.socket.send(JSON.stringify({ type: 'subscribe', topic: 'general' }));
    const ws1 = await seedClient();

    // As in the seed, ws1 publishes on an interval (every 250 ms here, not 15 s) until ws2 has one.
    const received = ws2.next();
    let count = 0;
    const publisher = setInterval(() => {
      ws1.socket.send(JSON.stringify({ type: 'message', message: `count is ${count}`, topic: 'general' }));
      count++;
    }, 250);
    try {
      const frame = await until(received, 20_000, 'a delivery to ws2');
      expect(frame).toMatchObject({ type: 'message', topic: 'general' });
      expect((frame as { data: string }).data).toMatch(/^count is \d+$/);
    } finally {
      clearInterval(publisher);
    }
    // ws1 never subscribed and sent no ids: the server owes it nothing.
    expect(ws1.frames).toEqual([]);
  });

  it('returns the handler result through the $default route response (acks with ids)', async () => {
    const client = await seedClient();
    const reply = client.next();
    client.socket.send(JSON.stringify({ type: 'subscribe', topic: 'acks', id: 'sub-1' }));
    // By its fields: with topic history the ack also carries the stream position (epoch, offset).
    expect(await until(reply, 10_000, 'the subscribed ack')).toMatchObject({
      type: 'subscribed',
      topic: 'acks',
      id: 'sub-1',
    });
  });

  it('answers ping with a pong echoing the id (through the Lambda here: serverless-offline has no MOCK routes)', async () => {
    const client = await seedClient();
    const reply = client.next();
    client.socket.send(JSON.stringify({ type: 'ping', id: 42 }));
    expect(await until(reply, 10_000, 'the pong')).toEqual({ type: 'pong', id: 42 });
    expect(offline!.output()).not.toContain("route 'ping");
  });
});
