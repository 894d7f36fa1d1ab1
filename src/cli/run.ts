import { readFileSync } from 'node:fs';
import { CliFailure } from './failures.ts';
import { type CliIo, type Command, ExitCodes, UsageError } from './io.ts';

/**
 * Every command, by name. A new command is one file in ./commands and one entry here. Each is imported only
 * when it runs: `publish` is one HTTP request and must not pay for loading the server, `ws` or the AWS SDK
 * (CLI startup is measured by `npm run bench`, bench/extras/cli-startup.ts).
 */
const commandLoaders: Readonly<Record<string, () => Promise<Command>>> = {
  dev: async () => (await import('./commands/dev.ts')).devCommand,
  publish: async () => (await import('./commands/publish.ts')).publishCommand,
  subscribe: async () => (await import('./commands/subscribe.ts')).subscribeCommand,
  'dynamodb-local': async () => (await import('./commands/dynamodb-local.ts')).dynamodbLocalCommand,
  emulate: async () => (await import('./commands/emulate.ts')).emulateCommand,
};

async function overview(): Promise<string> {
  const commands = await Promise.all(Object.values(commandLoaders).map((load) => load()));
  const width = Math.max(...commands.map((command) => command.name.length));
  return [
    'Usage: topicsocket <command> [options]',
    '',
    'Commands:',
    ...commands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`),
    '',
    'Run `topicsocket <command> --help` for its options.',
  ].join('\n');
}

function version(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version?: string;
  };
  return manifest.version ?? 'unknown';
}

/** Runs one CLI invocation; resolves with the exit code. Never throws. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    io.out(await overview());
    return name === undefined ? ExitCodes.usage : ExitCodes.ok;
  }
  if (name === '--version' || name === '-v') {
    io.out(version());
    return ExitCodes.ok;
  }
  const load = Object.hasOwn(commandLoaders, name) ? commandLoaders[name] : undefined;
  if (!load) {
    const known = Object.keys(commandLoaders).join(', ');
    io.err(`topicsocket: unknown command "${name}" (commands: ${known}; see topicsocket --help)`);
    return ExitCodes.usage;
  }
  const command = await load();
  try {
    return await command.run(args, io);
  } catch (error) {
    // Every failure a user can cause is one line that says what to do; the usage is one flag away.
    if (error instanceof UsageError || isParseArgsError(error)) {
      io.err(
        `topicsocket ${command.name}: ${usageMessage(error as Error)} (see topicsocket ${command.name} --help)`,
      );
      return ExitCodes.usage;
    }
    if (error instanceof CliFailure) {
      io.err(`topicsocket ${command.name}: ${error.message}`);
      return ExitCodes.failed;
    }
    // Unexpected: still one line, with the stack only when asked for.
    const debug = io.env.LOG_LEVEL?.toLowerCase() === 'debug';
    const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    io.err(
      debug && error instanceof Error && error.stack
        ? `topicsocket ${command.name}: ${error.stack}`
        : `topicsocket ${command.name}: ${text} (LOG_LEVEL=debug shows the stack)`,
    );
    return ExitCodes.failed;
  }
}

function isParseArgsError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_');
}

/**
 * One line: node:util's parseArgs spreads some messages over lines, and explains at length how to pass a
 * positional that starts with "-" (one sentence is enough).
 */
function usageMessage(error: Error): string {
  const code = (error as { code?: unknown }).code;
  const message =
    code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION'
      ? error.message.replace(/\. To specify .*$/s, '')
      : error.message;
  return message
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .join(' ');
}
