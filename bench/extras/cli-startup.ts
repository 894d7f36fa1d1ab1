import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startLocalServer } from '../../src/runtimes/local/index.ts';
import type { ExtraOutcome } from '../outcome.ts';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));

/**
 * How long the installed CLI takes, from a fresh process: the compiled `bin` (dist/cli/main.js, built here
 * first so it matches the sources) exactly as `npx topicsocket` runs it, minus npx's own start-up. Each figure
 * is the median of several runs, next to `node -e 0` measured in the same run as the baseline.
 */
export async function measureCliStartup(
  quick: boolean,
  log: (message: string) => void,
): Promise<ExtraOutcome> {
  const title = 'CLI start-up (compiled bin, dist/cli/main.js)';
  const runs = quick ? 3 : 7;
  const server = await startLocalServer({ port: 0, console: false, publishApi: { auth: { open: true } } });
  try {
    await run(process.execPath, ['--import', 'tsx', 'scripts/build.ts'], { cwd: root });
    const bin = join(root, 'dist/cli/main.js');
    const env = { PATH: process.env.PATH, LOG_LEVEL: 'warn' };
    const timed = async (args: string[]) => {
      const started = performance.now();
      await run(process.execPath, args, { cwd: root, env });
      return performance.now() - started;
    };
    const node = await medianOf(runs, () => timed(['-e', '0']));
    const help = await medianOf(runs, () => timed([bin, '--help']));
    const publish = await medianOf(runs, () =>
      timed([bin, 'publish', 'bench/cli', '{"n":1}', '--url', server.managementEndpoint]),
    );
    const dev = await medianOf(runs, () => devUntilReady(bin, env));
    const ratio = (ms: number) => `${(ms / node).toFixed(1)}× node -e 0`;
    log(
      `cli: publish ${publish.toFixed(0)} ms, dev ready ${dev.toFixed(0)} ms, node -e 0 ${node.toFixed(0)} ms`,
    );
    return {
      title,
      status: 'ran',
      lines: [
        `\`topicsocket publish\` (one POST /publish to a local server, until exit): median ${publish.toFixed(0)} ms of ${runs} (${ratio(publish)})`,
        `\`topicsocket dev\` (memory store, until "Press Ctrl-C to stop."): median ${dev.toFixed(0)} ms of ${runs} (${ratio(dev)})`,
        `\`topicsocket --help\` (loads every command): median ${help.toFixed(0)} ms; baseline \`node -e 0\`: median ${node.toFixed(0)} ms, Node ${process.version}`,
        '`npx topicsocket …` adds npm’s own start-up (several hundred ms) on top of these',
      ],
    };
  } catch (error) {
    return { title, status: 'failed', lines: [String(error)] };
  } finally {
    await server.close();
  }
}

async function medianOf(count: number, measure: () => Promise<number>): Promise<number> {
  const values: number[] = [];
  for (let i = 0; i < count; i++) values.push(await measure());
  values.sort((a, b) => a - b);
  return values[Math.floor(values.length / 2)] ?? 0;
}

/** Starts `dev` on a free port, times it until its banner is complete, then stops it and awaits its exit. */
async function devUntilReady(bin: string, env: NodeJS.ProcessEnv): Promise<number> {
  const started = performance.now();
  const child: ChildProcess = spawn(process.execPath, [bin, 'dev', '--port', '0'], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const exited = once(child, 'exit');
  try {
    let output = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout?.on('data', (chunk: Buffer) => {
        output += String(chunk);
        if (output.includes('Press Ctrl-C to stop.')) resolve();
      });
      exited.then(([code]) => reject(new Error(`topicsocket dev exited with ${code} before its banner`)));
    });
    return performance.now() - started;
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}
