import type { Logger } from '../../../src/core/index.ts';

/** A logger that resolves `dropped` when the server disconnects a slow consumer (its warning). */
export function slowConsumerWatch(): { logger: Logger; dropped: Promise<void> } {
  let resolve: () => void = () => {};
  const dropped = new Promise<void>((done) => {
    resolve = done;
  });
  const logger: Logger = {
    debug() {},
    info() {},
    warn: (message) => {
      if (message === 'slow consumer disconnected') resolve();
    },
    error() {},
  };
  return { logger, dropped };
}
