/**
 * `serverless offline start` as a child process of a test: own process group (so the esbuild service it
 * spawns dies with it), resolved once its WebSocket server listens, stopped by `stop()`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../lib/free-port.ts';
import { offlineEnv, serverlessBin, serviceDir } from '../lib/serverless-cli.ts';

export interface ServerlessOffline {
  webSocketUrl: string;
  managementEndpoint: string;
  /** Everything the process printed so far (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

export async function startServerlessOffline(
  env: NodeJS.ProcessEnv,
  timeoutMs = 90_000,
): Promise<ServerlessOffline> {
  const [websocketPort, httpPort, lambdaPort] = [await freePort(), await freePort(), await freePort()];
  const managementEndpoint = `http://127.0.0.1:${websocketPort}`;
  // serverless-esbuild never cleans its output: a stale bundle of another format would be loaded first.
  rmSync(join(serviceDir, '.esbuild'), { recursive: true, force: true });
  const args = [
    serverlessBin,
    'offline',
    'start',
    '--stage',
    'local',
    '--param',
    `managementEndpoint=${managementEndpoint}`,
    '--host',
    '127.0.0.1',
    '--websocketPort',
    String(websocketPort),
    '--httpPort',
    String(httpPort),
    '--lambdaPort',
    String(lambdaPort),
    // Hands the test's environment (the DynamoDB Local endpoint) to the handler.
    '--localEnvironment',
  ];
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: serviceDir,
    env: { ...offlineEnv, ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let output = '';
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      process.kill(-child.pid, 'SIGTERM');
      const timer = setTimeout(() => child.pid !== undefined && process.kill(-child.pid, 'SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
  };

  const ready = new Promise<void>((resolve, reject) => {
    // The "[websocket]" line comes before the server is bound; this one after.
    const listening = /Offline \[http for websocket\] listening on http:\/\//;
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (listening.test(output)) resolve();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) =>
      reject(new Error(`serverless offline exited (${code}) before listening:\n${output}`)),
    );
  });
  const timeout = new Promise<never>((_, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`serverless offline not listening after ${timeoutMs} ms:\n${output}`)),
      timeoutMs,
    );
    void exited.then(() => clearTimeout(timer));
    void ready.then(() => clearTimeout(timer));
  });
  try {
    await Promise.race([ready, timeout]);
  } catch (error) {
    await stop();
    throw error;
  }
  return { webSocketUrl: `ws://127.0.0.1:${websocketPort}`, managementEndpoint, output: () => output, stop };
}
