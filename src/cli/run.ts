import { readFileSync } from 'node:fs';
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
    io.err(`topicsocket: unknown command "${name}"\n\n${await overview()}`);
    return ExitCodes.usage;
  }
  const command = await load();
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
