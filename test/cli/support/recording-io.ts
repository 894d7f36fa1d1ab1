import type { CliIo } from '../../../src/cli/io.ts';

/** A CliIo that records stdout and stderr lines, can await a line, and stops the command on demand. */
export function recordingIo(env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  let stop: (signal: string) => void = () => {};
  const stopped = new Promise<string>((resolve) => {
    stop = resolve;
  });
  const waiters: Array<{ match: RegExp; resolve: (match: RegExpMatchArray) => void }> = [];
  const record = (into: string[]) => (line: string) => {
    into.push(line);
    for (const waiter of waiters) {
      const match = line.match(waiter.match);
      if (match) waiter.resolve(match);
    }
  };
  const io: CliIo = { out: record(out), err: record(err), env, untilStopped: () => stopped };
  const printed = (match: RegExp) =>
    new Promise<RegExpMatchArray>((resolve) => {
      const found = [...out, ...err].map((line) => line.match(match)).find(Boolean);
      if (found) resolve(found);
      else waiters.push({ match, resolve });
    });
  return { io, out, err, stop: (signal = 'SIGINT') => stop(signal), printed };
}

/** A TCP port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
