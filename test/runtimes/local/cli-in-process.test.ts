import { describe, expect, it } from 'vitest';
import type { CliIo } from '../../../src/cli/io.ts';
import { runCli } from '../../../src/cli/run.ts';
import { TestClient } from './client.ts';

/** A CliIo that records output, resolves `printed` on the first line matching `pattern`, and stops on demand. */
function fakeIo(pattern = /WebSocket URL\s+(\S+)/) {
  const lines: string[] = [];
  let stop: (signal: string) => void = () => {};
  let onMatch: (match: RegExpMatchArray) => void = () => {};
  const printed = new Promise<RegExpMatchArray>((resolve) => {
    onMatch = resolve;
  });
  const record = (line: string) => {
    lines.push(line);
    const match = line.match(pattern);
    if (match) onMatch(match);
  };
  const io: CliIo = {
    out: record,
    err: record,
    env: {},
    untilStopped: () =>
      new Promise((resolve) => {
        stop = resolve;
      }),
  };
  return { io, lines, printed, stop: (signal: string) => stop(signal) };
}

describe('topicsocket CLI, in process', () => {
  it('shortens API Gateway timers with --idle-timeout, and stops on a signal with exit code 0', async () => {
    const fake = fakeIo();
    const running = runCli(['dev', '--port', '0', '--idle-timeout', '200', '--log-level', 'warn'], fake.io);
    const [, url] = await fake.printed;
    expect(fake.lines.join('\n')).toContain('idle 200 ms');
    const client = await TestClient.open(url as string);
    expect(await client.closed).toEqual({ code: 1001, reason: 'Going away' });
    fake.stop('SIGINT');
    expect(await running).toBe(0);
    expect(fake.lines.at(-1)).toContain('SIGINT');
  });

  it('answers usage mistakes with exit code 2 and the usage text', async () => {
    for (const argv of [
      ['dev', '--idle-timeout', '0'],
      ['dev', '--port', '70000'],
      ['dev', '--store', 'papyrus'],
      ['dev', '--no-such-flag'],
      ['dev', '--log-level', 'loud'],
      // Above API Gateway's 2 hours the records (connection, subscriptions) would expire first.
      ['dev', '--max-duration', '7200001'],
      ['deploy-to-mars'],
    ]) {
      const fake = fakeIo();
      expect(await runCli(argv, fake.io)).toBe(2);
      expect(fake.lines).toHaveLength(1);
      expect(fake.lines[0]).toMatch(/^topicsocket( dev)?: .*--help/);
    }
  });

  it('prints the overview and the version', async () => {
    const help = fakeIo();
    expect(await runCli(['--help'], help.io)).toBe(0);
    expect(help.lines.join('\n')).toMatch(/dev\s+run the local API Gateway WebSocket emulator/);
    const version = fakeIo();
    expect(await runCli(['--version'], version.io)).toBe(0);
    expect(version.lines[0]).toMatch(/^\d+\.\d+\.\d+/);
  });
});
