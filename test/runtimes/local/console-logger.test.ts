import { describe, expect, it } from 'vitest';
import { ConsoleLogger } from '../../../src/runtimes/local/console-logger.ts';

describe('ConsoleLogger', () => {
  it('writes Powertools-shaped JSON lines and keeps bodies and tokens out above debug', () => {
    const lines: string[] = [];
    const logger = new ConsoleLogger({ level: 'info', write: (line) => lines.push(line), service: 'svc' });
    logger.debug('hidden');
    logger.info('connected', { connectionId: 'abc=', route: '$connect', token: 'secret', body: '{"x":1}' });
    logger.error('failed', { error: new Error('boom') });
    expect(lines).toHaveLength(2);
    const first = JSON.parse(lines[0] as string);
    expect(Object.keys(first)).toEqual(['level', 'message', 'timestamp', 'service', 'connectionId', 'route']);
    expect(first).toMatchObject({
      level: 'INFO',
      message: 'connected',
      service: 'svc',
      connectionId: 'abc=',
    });
    expect(lines[0]).not.toContain('secret');
    expect(JSON.parse(lines[1] as string).error).toEqual({ name: 'Error', message: 'boom' });

    const debugLines: string[] = [];
    new ConsoleLogger({ level: 'debug', write: (line) => debugLines.push(line) }).debug('frame', {
      body: 'x',
    });
    expect(JSON.parse(debugLines[0] as string).body).toBe('x');
  });
});
