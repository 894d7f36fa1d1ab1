import { describe, expect, it } from 'vitest';
import { cliRunsPerTest } from '../../support/cli-in-process.ts';
import { TestClient } from './client.ts';

const WEBSOCKET_URL = /WebSocket URL\s+(\S+)/;

describe('topicsocket CLI, in process', () => {
  const run = cliRunsPerTest();

  it('shortens API Gateway timers with --idle-timeout, and stops on a signal with exit code 0', async () => {
    const fake = run(['dev', '--port', '0', '--idle-timeout', '200', '--log-level', 'warn']);
    const running = fake.exitCode;
    const [, url] = await fake.printed(WEBSOCKET_URL);
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
      const fake = run(argv);
      expect(await fake.exitCode).toBe(2);
      expect(fake.lines).toHaveLength(1);
      expect(fake.lines[0]).toMatch(/^topicsocket( dev)?: .*--help/);
    }
  });

  it('prints the overview and the version', async () => {
    const help = run(['--help']);
    expect(await help.exitCode).toBe(0);
    expect(help.lines.join('\n')).toMatch(/dev\s+run the local API Gateway WebSocket emulator/);
    const version = run(['--version']);
    expect(await version.exitCode).toBe(0);
    expect(version.lines[0]).toMatch(/^\d+\.\d+\.\d+/);
  });
});
