/**
 * A Lambda-like container for one function bundle, in its own process: loads the bundle (CommonJS, as
 * deployed) once, then runs one invocation at a time with a Lambda-shaped context, and enforces the
 * function's timeout as Lambda does: an invocation still running at the timeout is killed with its process
 * (the next invocation gets a new, cold container). Reports the CPU time the process spent per invocation.
 *
 * The runner side (`LambdaHost`) forks this file; the child side runs when this file is the main module.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export interface InvocationOutcome {
  /** The handler's answer; undefined when the invocation timed out or threw. */
  result?: unknown;
  error?: string;
  timedOut: boolean;
  durationMs: number;
  /** CPU (user + system) of the container process during the invocation. */
  cpuMs: number;
  startedAt: number;
  /** EMF metrics the invocation printed, summed by name. */
  metrics: Record<string, number>;
}

type HostMessage = { type: 'ready' } | ({ type: 'done'; id: number } & Omit<InvocationOutcome, 'metrics'>);

const self = fileURLToPath(import.meta.url);

/** The runner's handle on one container. */
export class LambdaHost {
  private nextId = 0;
  private output = '';

  private constructor(
    private readonly child: ChildProcess,
    readonly name: string,
  ) {
    child.stdout?.on('data', (chunk: Buffer) => {
      this.output += chunk.toString('utf8');
    });
    child.stderr?.on('data', () => {});
  }

  static async start(
    name: string,
    bundle: string,
    env: Record<string, string>,
    onChild?: (child: ChildProcess) => () => void,
  ): Promise<LambdaHost> {
    const child = fork(self, [bundle], {
      // The bundle is plain CommonJS: no tsx for it; the host file itself needs it.
      execArgv: ['--import', 'tsx', '--enable-source-maps', ...profileArgs()],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env: { PATH: process.env.PATH ?? '', ...env },
    });
    const forget = onChild?.(child);
    child.once('exit', () => forget?.());
    await new Promise<void>((resolve, reject) => {
      child.once('message', (message: HostMessage) => (message.type === 'ready' ? resolve() : reject()));
      child.once('exit', (code) => reject(new Error(`${name} exited with ${code} before it was ready`)));
    });
    return new LambdaHost(child, name);
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  async invoke(event: unknown, timeoutMs: number): Promise<InvocationOutcome> {
    const id = ++this.nextId;
    this.output = '';
    const done = await new Promise<HostMessage & { type: 'done' }>((resolve, reject) => {
      const onMessage = (message: HostMessage) => {
        if (message.type === 'done' && message.id === id) {
          this.child.off('message', onMessage);
          this.child.off('exit', onExit);
          resolve(message);
        }
      };
      const onExit = (code: number | null) => {
        this.child.off('message', onMessage);
        reject(new Error(`${this.name} died (${code}) during an invocation`));
      };
      this.child.on('message', onMessage);
      this.child.once('exit', onExit);
      this.child.send({ type: 'invoke', id, event, timeoutMs });
    });
    const { type: _type, id: _id, ...outcome } = done;
    return { ...outcome, metrics: emfMetrics(this.output) };
  }

  async stop(): Promise<void> {
    if (!this.alive) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    // A profiled container exits on its own, so that node writes its profile; others are killed.
    if (process.env.BENCH_CPU_PROF) this.child.send({ type: 'exit' });
    else this.child.kill('SIGKILL');
    await exited;
  }
}

/** BENCH_CPU_PROF=<dir>: every container writes a `--cpu-prof` profile there when it is stopped. */
function profileArgs(): string[] {
  const dir = process.env.BENCH_CPU_PROF;
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
}

/** Sums the metrics of every EMF document in a chunk of stdout. */
function emfMetrics(output: string): Record<string, number> {
  const sums: Record<string, number> = {};
  for (const line of output.split('\n')) {
    if (!line.startsWith('{') || !line.includes('"_aws"')) continue;
    try {
      const doc = JSON.parse(line) as Record<string, unknown> & {
        _aws: { CloudWatchMetrics: Array<{ Metrics: Array<{ Name: string }> }> };
      };
      for (const { Name } of doc._aws.CloudWatchMetrics[0]?.Metrics ?? []) {
        const value = doc[Name];
        const values = Array.isArray(value) ? value : [value];
        sums[Name] = (sums[Name] ?? 0) + values.reduce((a: number, b) => a + Number(b), 0);
      }
    } catch {}
  }
  return sums;
}

/** Child side: the container. */
async function container(bundle: string): Promise<void> {
  const module_ = createRequire(import.meta.url)(bundle) as {
    handler: (event: unknown, context: unknown) => Promise<unknown>;
  };
  const send = (message: HostMessage) => process.send?.(message);
  let busy = false;
  process.on(
    'message',
    async (message: { type: 'invoke' | 'exit'; id: number; event: unknown; timeoutMs: number }) => {
      if (message.type === 'exit') process.exit(0);
      if (message.type !== 'invoke' || busy) return;
      busy = true;
      const startedAt = Date.now();
      const cpu = process.cpuUsage();
      const deadline = startedAt + message.timeoutMs;
      const used = () => {
        const delta = process.cpuUsage(cpu);
        return (delta.user + delta.system) / 1000;
      };
      const context = {
        callbackWaitsForEmptyEventLoop: false,
        functionName: 'topicsocket-bench',
        functionVersion: '$LATEST',
        invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:topicsocket-bench',
        memoryLimitInMB: '1024',
        awsRequestId: `bench-${message.id}`,
        logGroupName: '/aws/lambda/topicsocket-bench',
        logStreamName: 'bench',
        getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
      };
      // Lambda's timeout: the process is killed with whatever was still in flight.
      const timer = setTimeout(() => {
        send({
          type: 'done',
          id: message.id,
          timedOut: true,
          durationMs: Date.now() - startedAt,
          cpuMs: used(),
          startedAt,
        });
        setImmediate(() => process.exit(3));
      }, message.timeoutMs);
      try {
        const result = await module_.handler(message.event, context);
        clearTimeout(timer);
        send({
          type: 'done',
          id: message.id,
          result,
          timedOut: false,
          durationMs: Date.now() - startedAt,
          cpuMs: used(),
          startedAt,
        });
      } catch (error) {
        clearTimeout(timer);
        send({
          type: 'done',
          id: message.id,
          error: String(error),
          timedOut: false,
          durationMs: Date.now() - startedAt,
          cpuMs: used(),
          startedAt,
        });
      }
      busy = false;
    },
  );
  send({ type: 'ready' });
}

if (process.argv[1] === self && process.argv[2]) void container(process.argv[2]);
