/** `topicsocket dynamodb-local` when its port is taken: one line that says so, exit 1, no JVM left behind. */
import { createServer, type Server } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.ts';

let holder: Server | undefined;
afterAll(() => new Promise<void>((resolve) => (holder ? holder.close(() => resolve()) : resolve())));

describe('topicsocket dynamodb-local', () => {
  it('says in one line that the port is in use', async () => {
    // Whatever connects (the command polling for an HTTP answer) is hung up on at once.
    const taken = createServer((socket) => socket.destroy());
    holder = taken;
    const port = await new Promise<number>((resolve) =>
      taken.listen(0, '127.0.0.1', () => resolve((taken.address() as { port: number }).port)),
    );
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(['dynamodb-local', '--port', String(port)], {
      out: (line) => out.push(line),
      err: (line) => err.push(line),
      env: {},
      untilStopped: () => new Promise(() => {}),
    });
    expect(code).toBe(1);
    expect(out).toEqual([]);
    expect(err).toEqual([
      `topicsocket dynamodb-local: DynamoDB Local stopped before answering: port ${port} is in use (pick another with --port)`,
    ]);
  });

  it('refuses a port that is not one', async () => {
    const err: string[] = [];
    const code = await runCli(['dynamodb-local', '--port', 'x'], {
      out: () => {},
      err: (line) => err.push(line),
      env: {},
      untilStopped: () => new Promise(() => {}),
    });
    expect(code).toBe(2);
    expect(err[0]).toContain('--port must be an integer from 1 to 65535');
  });
});
