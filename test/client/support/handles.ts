import { createHook } from 'node:async_hooks';

/** Handle types a client could leak: timers and sockets (TCP, and TLS over TCP). */
const TRACKED = new Set(['Timeout', 'TCPWRAP', 'TCPCONNECTWRAP', 'TLSWRAP']);

/**
 * Tracks the timers and sockets created while code under `pathFragment` was on the stack, and which of them
 * are still alive (not yet destroyed). Unlike counting `process.getActiveResourcesInfo()`, this ignores
 * handles of the server, the proxy and the test runner that happen to come and go meanwhile.
 */
export function trackHandles(pathFragment = '/src/client/'): { alive(): string[]; stop(): void } {
  const alive = new Map<number, string>();
  const hook = createHook({
    init(asyncId, type) {
      if (!TRACKED.has(type)) return;
      const limit = Error.stackTraceLimit;
      Error.stackTraceLimit = 100;
      const stack = new Error().stack ?? '';
      Error.stackTraceLimit = limit;
      if (stack.includes(pathFragment)) alive.set(asyncId, type);
    },
    destroy(asyncId) {
      alive.delete(asyncId);
    },
  });
  hook.enable();
  return {
    alive: () => [...alive.values()],
    stop: () => hook.disable(),
  };
}
