import { Duplex } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { CorkedWriter } from '../../../src/runtimes/emulator/corked-writer.ts';

/** A socket stand-in that records each write the stream hands down: one entry per would-be syscall. */
function recordingSocket(): { socket: Duplex; batches: string[][] } {
  const batches: string[][] = [];
  const socket = new Duplex({
    read() {},
    write(chunk: Buffer, _encoding, done) {
      batches.push([chunk.toString()]);
      done();
    },
    writev(chunks, done) {
      batches.push(chunks.map(({ chunk }) => (chunk as Buffer).toString()));
      done();
    },
  });
  return { socket, batches };
}

describe('CorkedWriter', () => {
  it('sends every write of one event-loop turn to a socket in a single batch, after the turn', async () => {
    const writer = new CorkedWriter();
    const a = recordingSocket();
    const b = recordingSocket();
    writer.write(a.socket, Buffer.from('1'));
    writer.write(b.socket, Buffer.from('1'));
    writer.write(a.socket, Buffer.from('2'));
    expect(a.batches).toEqual([]);
    await nextTurn();
    expect(a.batches).toEqual([['1', '2']]);
    expect(b.batches).toEqual([['1']]);
    expect(a.socket.writableCorked).toBe(0);
  });

  it('keeps writes made by others on the same socket in order', async () => {
    const writer = new CorkedWriter();
    const { socket, batches } = recordingSocket();
    writer.write(socket, Buffer.from('message 1'));
    // What ws does for a reply: cork, write, uncork inside one synchronous send.
    socket.cork();
    socket.write(Buffer.from('reply'));
    socket.uncork();
    writer.write(socket, Buffer.from('message 2'));
    await nextTurn();
    expect(batches.flat()).toEqual(['message 1', 'reply', 'message 2']);
  });

  it('starts a new batch in the next turn', async () => {
    const writer = new CorkedWriter();
    const { socket, batches } = recordingSocket();
    writer.write(socket, Buffer.from('1'));
    await nextTurn();
    writer.write(socket, Buffer.from('2'));
    await nextTurn();
    expect(batches).toEqual([['1'], ['2']]);
  });

  it('counts corked bytes as buffered, so backpressure limits still see them', () => {
    const writer = new CorkedWriter();
    const { socket } = recordingSocket();
    writer.write(socket, Buffer.alloc(1000));
    expect(socket.writableLength).toBe(1000);
  });
});
