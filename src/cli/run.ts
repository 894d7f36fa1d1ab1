import { readFileSync } from 'node:fs';
import { devCommand } from './commands/dev.ts';
import { dynamodbLocalCommand } from './commands/dynamodb-local.ts';
import { publishCommand } from './commands/publish.ts';
import { subscribeCommand } from './commands/subscribe.ts';
import { type CliIo, type Command, ExitCodes, UsageError } from './io.ts';

/** Every command, by name. A new command is one file in ./commands and one entry here. */
const commands: readonly Command[] = [devCommand, publishCommand, subscribeCommand, dynamodbLocalCommand];

function overview(): string {
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
    io.out(overview());
    return name === undefined ? ExitCodes.usage : ExitCodes.ok;
  }
  if (name === '--version' || name === '-v') {
    io.out(version());
    return ExitCodes.ok;
  }
  const command = commands.find((candidate) => candidate.name === name);
  if (!command) {
    io.err(`topicsocket: unknown command "${name}"\n\n${overview()}`);
    return ExitCodes.usage;
  }
  try {
    return await command.run(args, io);
  } catch (error) {
    if (error instanceof UsageError || isParseArgsError(error)) {
      io.err(`topicsocket ${command.name}: ${(error as Error).message}\n\n${command.usage}`);
      return ExitCodes.usage;
    }
    io.err(
      `topicsocket ${command.name}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    return ExitCodes.failed;
  }
}

function isParseArgsError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_');
}
