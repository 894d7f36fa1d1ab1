import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export type Line = Record<string, unknown>;

/**
 * A child process that talks JSON lines: `next(accept)` awaits the next matching line it printed, `send`
 * writes one to its stdin. `stop()` ends it (kills it if it does not exit after stdin closes).
 */
export class LineChild {
  readonly exited: Promise<number | null>;
  readonly stderr: string[] = [];
  private readonly lines: Line[] = [];
  private readonly waiters: Array<{ accept: (line: Line) => boolean; resolve: (line: Line) => void }> = [];
  private readonly child: ChildProcessWithoutNullStreams;

  constructor(command: string, args: string[], cwd: string) {
    this.child = spawn(command, args, { cwd, stdio: 'pipe' });
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
    this.child.stderr.on('data', (chunk: Buffer) => this.stderr.push(chunk.toString()));
    createInterface({ input: this.child.stdout }).on('line', (text) => {
      const line = JSON.parse(text) as Line;
      const index = this.waiters.findIndex((waiter) => waiter.accept(line));
      if (index >= 0) this.waiters.splice(index, 1)[0]?.resolve(line);
      else this.lines.push(line);
    });
  }

  next(accept: (line: Line) => boolean, timeoutMs = 5_000): Promise<Line> {
    const index = this.lines.findIndex(accept);
    if (index >= 0) return Promise.resolve(this.lines.splice(index, 1)[0] as Line);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(`child printed no matching line in ${timeoutMs} ms; stderr: ${this.stderr.join('')}`),
          ),
        timeoutMs,
      );
      this.waiters.push({
        accept,
        resolve: (line) => {
          clearTimeout(timer);
          resolve(line);
        },
      });
    });
  }

  send(line: Line): void {
    this.child.stdin.write(`${JSON.stringify(line)}\n`);
  }

  async stop(): Promise<number | null> {
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 3_000);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }
}
