import type { Duplex } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { LocalConnection } from '../../../src/runtimes/emulator/local-connection.ts';

describe('LocalConnection queue', () => {
  it('runs work in order, one at a time, and stops reading the socket while too much is queued', async () => {
    const socketCalls: string[] = [];
    const socket = {
      pause: () => socketCalls.push('pause'),
      resume: () => socketCalls.push('resume'),
    } as unknown as WebSocket;
    const identity = { connectionId: 'c=', connectedAt: Date.now(), sourceIp: '127.0.0.1' };
    const connection = new LocalConnection(identity, socket, {} as Duplex, 4);
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const order: number[] = [];
    let running = 0;
    let done: () => void = () => {};
    const finished = new Promise<void>((resolve) => {
      done = resolve;
    });
    for (let i = 0; i < 6; i++) {
      connection.enqueue(async () => {
        running++;
        expect(running).toBe(1);
        await gate;
        order.push(i);
        running--;
        if (i === 5) done();
      });
    }
    // The first task is running; five wait, past the limit of four.
    expect(connection.queued).toBe(5);
    expect(socketCalls).toEqual(['pause']);
    release();
    await finished;
    expect(order).toEqual([0, 1, 2, 3, 4, 5]);
    expect(socketCalls).toEqual(['pause', 'resume']);
  });
});
