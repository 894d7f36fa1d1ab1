/** What a command may touch of the outside world; tests and `main.ts` provide it. */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  /** Whether `out` is a terminal that shows colours. */
  colors?: boolean;
  /** Environment variables (PORT, LOG_LEVEL...). */
  env: Record<string, string | undefined>;
  /** Resolves with the signal's name when the process is asked to stop (SIGINT, SIGTERM). */
  untilStopped(): Promise<string>;
}

/** Exit codes: 0 done, 1 failed, 2 bad usage. */
export const ExitCodes = { ok: 0, failed: 1, usage: 2 } as const;

export interface Command {
  name: string;
  summary: string;
  usage: string;
  run(args: string[], io: CliIo): Promise<number>;
}

/** A usage mistake: reported with the command's usage and exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
