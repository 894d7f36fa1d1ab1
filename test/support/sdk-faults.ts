/**
 * Fault injection and request counting for AWS SDK v3 clients, through their middleware stacks. Only the
 * chosen requests are touched; everything else goes to the real endpoint (DynamoDB Local, the emulator's
 * `@connections` API). Middleware sits inside the SDK's retry loop, so each attempt is seen and counted.
 */
import type { FinalizeRequestMiddleware, InitializeMiddleware, MiddlewareStack } from '@smithy/types';

// biome-ignore lint/suspicious/noExplicitAny: SDK clients differ in their input/output unions; only the stack is used.
type AnyClient = { middlewareStack: MiddlewareStack<any, any> };

/** What a fault rule sees of a request. */
export interface RequestInfo {
  commandName: string;
  input: Record<string, unknown>;
}

/**
 * Before each attempt, asks `fault(request)` for an error to throw instead of sending (undefined: send).
 * With `after: true` the request is sent first and the error thrown on the way back (a lost response).
 * Returns a function that removes the rule.
 */
export function injectFault(
  client: AnyClient,
  fault: (request: RequestInfo) => Error | undefined,
  options: { after?: boolean } = {},
): () => void {
  const name = `fault-${Math.random().toString(36).slice(2)}`;
  const middleware: FinalizeRequestMiddleware<object, object> = (next, context) => async (args) => {
    const info = { commandName: String(context.commandName), input: args.input as Record<string, unknown> };
    if (!options.after) {
      const error = fault(info);
      if (error) throw error;
      return next(args);
    }
    const result = await next(args);
    const error = fault(info);
    if (error) throw error;
    return result;
  };
  client.middlewareStack.add(middleware, { step: 'finalizeRequest', priority: 'low', name });
  return () => client.middlewareStack.remove(name);
}

/**
 * A process killed (kill -9) right after the first request that `fatal` picks: that request reaches the
 * endpoint and is applied, its answer and every later request fail with `process killed`.
 */
export function dieAfter(client: AnyClient, fatal: (request: RequestInfo) => boolean): void {
  let dead = false;
  injectFault(
    client,
    (request) => {
      if (!dead && !fatal(request)) return undefined;
      dead = true;
      return new Error('process killed');
    },
    { after: true },
  );
}

/**
 * Rewrites a command's input and/or output at the outermost step (native document-client shapes there).
 * The interceptor may call `send` (the real request) or answer on its own.
 */
export function interceptCommand(
  client: AnyClient,
  commandName: string,
  intercept: (
    input: Record<string, unknown>,
    send: (input: Record<string, unknown>) => Promise<Record<string, unknown>>,
  ) => Promise<Record<string, unknown>>,
): () => void {
  const name = `intercept-${Math.random().toString(36).slice(2)}`;
  const middleware: InitializeMiddleware<object, object> = (next, context) => async (args) => {
    if (context.commandName !== commandName) return next(args);
    let response: Awaited<ReturnType<typeof next>> | undefined;
    const output = await intercept(args.input as Record<string, unknown>, async (input) => {
      response = await next({ ...args, input });
      return response.output as Record<string, unknown>;
    });
    // An interceptor may answer without sending (a request DynamoDB "processed" nothing of).
    return { ...(response ?? { response: {} }), output };
  };
  client.middlewareStack.add(middleware, { step: 'initialize', name });
  return () => client.middlewareStack.remove(name);
}

/** Counts every attempt per command name, and the most requests ever in flight at once. */
export class RequestCounter {
  readonly byCommand = new Map<string, number>();
  inFlight = 0;
  maxInFlight = 0;
  private readonly name = `count-${Math.random().toString(36).slice(2)}`;

  constructor(private readonly client: AnyClient) {
    const middleware: FinalizeRequestMiddleware<object, object> = (next, context) => async (args) => {
      const command = String(context.commandName);
      this.byCommand.set(command, (this.byCommand.get(command) ?? 0) + 1);
      this.inFlight++;
      this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
      try {
        return await next(args);
      } finally {
        this.inFlight--;
      }
    };
    client.middlewareStack.add(middleware, { step: 'finalizeRequest', priority: 'low', name: this.name });
  }

  count(commandName: string): number {
    return this.byCommand.get(commandName) ?? 0;
  }

  reset(): void {
    this.byCommand.clear();
    this.maxInFlight = 0;
  }

  snapshot(): Record<string, number> {
    return Object.fromEntries([...this.byCommand].sort(([a], [b]) => a.localeCompare(b)));
  }

  detach(): void {
    this.client.middlewareStack.remove(this.name);
  }
}
