import type { LoadCommand, LoadEvent, LoadResult } from '../ipc.ts';
import { runIdle } from './idle.ts';
import { type Mark, runPubSub } from './pubsub.ts';

/** Load generator child: waits for one `run` command, runs it, reports the result, and stays until killed. */
const waiting = new Map<string, () => void>();

function send(event: LoadEvent): void {
  process.send?.(event);
}

const mark: Mark = (name, options) =>
  new Promise<void>((resolve) => {
    waiting.set(name, resolve);
    send({ type: 'mark', name, ...(options?.gc ? { gc: true } : {}) });
  });

process.on('disconnect', () => process.exit(0));
process.on('message', (command: LoadCommand) => {
  if (command.type === 'marked') {
    waiting.get(command.name)?.();
    waiting.delete(command.name);
    return;
  }
  const run: Promise<LoadResult> =
    command.spec.kind === 'idle'
      ? runIdle(command.server, command.url, command.spec, mark)
      : runPubSub(command.server, command.url, command.spec, mark);
  run.then(
    (result) => send({ type: 'result', result }),
    (error: unknown) =>
      send({
        type: 'failed',
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      }),
  );
});
